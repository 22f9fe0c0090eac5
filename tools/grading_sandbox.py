"""Run a submission's kernel as a throw-away user, and end every process it leaves behind.

Student code runs inside an IPython kernel. When the grader runs as root, that kernel runs under
a numeric user id that owns nothing but one scratch folder, so it cannot write the gradebook, the
CSV, the course files or other submissions; afterwards every process of that id (a submission may
leave detached background processes) is killed. As an ordinary user no other id is available: the
kernel then runs with the grader's own rights, which the grader reports as reduced isolation.

This file is also the kernel launcher named in the grader's kernelspec::

    python grading_sandbox.py launch-kernel CONNECTION_FILE [KERNEL ARGUMENTS...]

It runs as the grader, reads the sandbox description named by ``$NNLIB_GRADER_SANDBOX``, then
replaces itself with the kernel under the throw-away id.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SANDBOX_ENV = "NNLIB_GRADER_SANDBOX"
TOKEN_ENV = "NNLIB_GRADER_TOKEN"
KERNEL_NAME = "nnlib-grader-sandbox"

# Numeric ids handed to kernels: outside the ranges Debian gives to people and system services.
UID_RANGE = (40000, 59999)
# Variables a kernel may inherit; everything else (tokens, credentials, PYTHONPATH) stays behind.
PASSED_ENV_PREFIXES = ("LANG", "LC_", "TZ", "OPENBLAS_", "MKL_", "OMP_", "NBGRADER_", "JPY_")
SCRATCH_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")


@dataclass
class Sandbox:
    """Where and as whom one submission's kernel runs.

    Attributes
    ----------
    scratch : str
        The only folder the kernel may write (its HOME and TMPDIR).
    uid : int or None
        Throw-away user and group id, or None when the grader is not root (reduced isolation).
    read_search : bool
        Give the kernel read access to every folder: needed when the Python interpreter lives where
        the throw-away id cannot enter (such as root's home). Reading never changes a grade.
    token : str
        Marks the kernel's processes in reduced isolation, where no user id tells them apart.
    """

    scratch: str
    uid: int | None
    read_search: bool
    token: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))
        path.chmod(0o600)

    @classmethod
    def load(cls, path: str | Path) -> Sandbox:
        return cls(**json.loads(Path(path).read_text()))


def can_drop_privileges() -> bool:
    """True when running as root with ``setpriv`` available, so kernels can get their own id."""
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


def setpriv_command(uid: int, read_search: bool) -> list[str]:
    """``setpriv`` arguments that switch to ``uid`` with no groups and no way back to root."""
    command = [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--no-new-privs",
    ]
    if read_search:
        command += [
            "--inh-caps=-all,+dac_read_search",
            "--ambient-caps=+dac_read_search",
            "--bounding-set=-all,+dac_read_search",
        ]
    else:
        command += ["--inh-caps=-all", "--bounding-set=-all"]
    return command + ["--"]


def interpreter_needs_read_search(uid: int) -> bool:
    """Whether user ``uid`` must be given read access to run this Python with its packages.

    Where the interpreter's folder cannot be entered, Python may still start but then falls back
    to another standard library without our packages: so the probe imports what a kernel needs.
    """
    probe = (
        f"import sys, ipykernel.kernelapp, numpy, nnlib; sys.exit(0 if sys.prefix == {sys.prefix!r} else 1)"
    )
    command = setpriv_command(uid, read_search=False) + [sys.executable, "-s", "-c", probe]
    result = subprocess.run(command, capture_output=True, cwd="/", env={"PATH": "/usr/bin:/bin"})
    return result.returncode != 0


class UidLease:
    """Reserve a numeric user id no process uses, for the life of one submission's run.

    The reservation is an exclusive lock on a file named after the id, so graders running at the
    same time never share an id (and never kill each other's kernels). The file is removed on
    release; a holder checks after locking that the file it locked is still the one in place.
    """

    def __init__(self, rng: random.Random | None = None):
        self._rng = rng or random.Random()
        self._lock_file = None
        self._lock_path = None
        self.uid = None

    def __enter__(self) -> int:
        lock_dir = Path(tempfile.gettempdir()) / "nnlib-grader-uids"
        lock_dir.mkdir(mode=0o700, exist_ok=True)
        for _ in range(200):
            uid = self._rng.randint(*UID_RANGE)
            if _uid_has_account(uid) or list_processes(uid):
                continue
            path = lock_dir / f"{uid}.lock"
            handle = open(path, "a")  # noqa: SIM115 -- held until __exit__
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(handle.fileno()).st_ino != os.stat(path).st_ino:
                    raise OSError("released while we waited")
            except OSError:
                handle.close()
                continue
            self._lock_file, self._lock_path, self.uid = handle, path, uid
            return uid
        raise RuntimeError(f"no free user id found in {UID_RANGE}")

    def __exit__(self, *exc_info) -> None:
        if self._lock_file is not None:
            self._lock_path.unlink(missing_ok=True)
            self._lock_file.close()
            self._lock_file = None


def _uid_has_account(uid: int) -> bool:
    import pwd

    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def make_scratch(folder: Path, uid: int | None) -> Path:
    """Create the kernel's private, writable folder (HOME, TMPDIR and caches)."""
    folder.mkdir(mode=0o700)
    (folder / "tmp").mkdir(mode=0o700)
    if uid is not None:
        for path in (folder, folder / "tmp"):
            os.chown(path, uid, uid)
    return folder


def kernel_environment(sandbox: Sandbox) -> dict[str, str]:
    """A minimal environment for the kernel: no secrets, caches in the scratch folder."""
    env = {key: value for key, value in os.environ.items() if key.startswith(PASSED_ENV_PREFIXES)}
    scratch = sandbox.scratch
    env.update(
        PATH=os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        HOME=scratch,
        TMPDIR=os.path.join(scratch, "tmp"),
        IPYTHONDIR=os.path.join(scratch, ".ipython"),
        MPLCONFIGDIR=os.path.join(scratch, ".matplotlib"),
        JUPYTER_CONFIG_DIR=os.path.join(scratch, ".jupyter"),
        JUPYTER_DATA_DIR=os.path.join(scratch, ".jupyter-data"),
        XDG_CACHE_HOME=os.path.join(scratch, ".cache"),
        PYTHONDONTWRITEBYTECODE="1",
        OPENBLAS_NUM_THREADS="1",  # one thread per kernel: fair and reproducible timings
        OMP_NUM_THREADS="1",
    )
    env[TOKEN_ENV] = sandbox.token
    return env


def _limit_resources() -> None:
    """Cap what one kernel (and everything it starts) may use: processes, file size, memory."""
    resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 2**20, 512 * 2**20))
    resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, 8 * 2**30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def launch_kernel(connection_file: str, kernel_args: list[str]) -> None:
    """Replace this process with an IPython kernel running inside the sandbox.

    Called by jupyter_client (as the grader) through the kernelspec written by
    :func:`write_kernelspec`; never returns.
    """
    description = os.environ.get(SANDBOX_ENV)
    if not description:
        sys.exit(f"{KERNEL_NAME}: ${SANDBOX_ENV} is not set; this kernel is only started by the grader")
    sandbox = Sandbox.load(description)
    kernel = [sys.executable, "-s", "-B", "-m", "ipykernel_launcher"]
    env = kernel_environment(sandbox)
    # What the kernel prints outside the notebook goes to a file, not to the grader's terminal.
    output_file = Path(sandbox.scratch) / "kernel-output.txt"
    output = os.open(output_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if sandbox.uid is not None:
        os.fchown(output, sandbox.uid, sandbox.uid)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    if sandbox.uid is None:
        os.execve(sys.executable, kernel + ["-f", connection_file, *kernel_args], env)
    # The kernel cannot read the grader's connection file: hand it a private copy.
    private_copy = Path(sandbox.scratch) / "connection.json"
    private_copy.write_text(Path(connection_file).read_text())
    os.chown(private_copy, sandbox.uid, sandbox.uid)
    private_copy.chmod(0o600)
    _limit_resources()
    command = setpriv_command(sandbox.uid, sandbox.read_search) + kernel
    os.execve(command[0], command + ["-f", str(private_copy), *kernel_args], env)


def write_kernelspec(jupyter_path: Path) -> None:
    """Write the kernelspec that starts kernels through :func:`launch_kernel` under ``jupyter_path``."""
    folder = jupyter_path / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, os.path.abspath(__file__), "launch-kernel", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "interrupt_mode": "signal",
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))


# --- ending processes -------------------------------------------------------------------------


def _status_fields(pid: int) -> dict[str, str]:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def list_processes(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real, effective or saved user id is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _status_fields(int(entry))
        except OSError:
            continue  # ended while we looked
        uids = {int(value) for value in fields.get("Uid", "").split()[:3]}
        if uid in uids and not fields.get("State", "").startswith(("Z", "X")):
            found.append(int(entry))
    return found


def _processes_with_token(token: str) -> list[int]:
    """Our own processes whose environment carries ``token`` (reduced isolation only)."""
    marker = f"{TOKEN_ENV}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _kill_everything_of(uid: int) -> None:
    """Send SIGKILL to every process of ``uid`` at once, from a child that has become ``uid``.

    ``kill(-1, ...)`` reaches all processes the sender may signal, i.e. exactly those of ``uid``;
    a fork bomb cannot outrun it the way it can outrun a list-then-kill loop.
    """
    child = os.fork()
    if child == 0:  # pragma: no cover -- runs in the forked child
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def end_all_processes(sandbox: Sandbox, attempts: int = 100) -> bool:
    """Kill every process the sandbox's kernel started; True when none is left.

    With a throw-away id this is complete: any process of that id belongs to the submission. In
    reduced isolation only processes that kept the sandbox's marker variable are found.
    """
    for _ in range(attempts):
        if sandbox.uid is not None:
            remaining = list_processes(sandbox.uid)
            if remaining:
                _kill_everything_of(sandbox.uid)
        else:
            remaining = _processes_with_token(sandbox.token)
            for pid in remaining:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if not remaining:
            return True
        time.sleep(0.05)
    return False


def remove_files_of(uid: int, folders=SCRATCH_FOLDERS) -> None:
    """Delete what ``uid`` left in shared scratch folders, so the next holder of the id starts clean.

    Call only after :func:`end_all_processes`: with nothing of ``uid`` running, nothing can swap
    a file for a link while we delete.
    """
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError as error:
                if error.errno != errno.ENOENT:
                    raise


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "launch-kernel":
        launch_kernel(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(f"usage: {sys.argv[0]} launch-kernel CONNECTION_FILE [KERNEL ARGUMENTS...]")
