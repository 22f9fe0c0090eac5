"""Run one student's notebook in a bubblewrap sandbox, and nothing of it afterwards.

The grader never runs student code itself. For each notebook it starts ``bwrap`` (Debian package
``bubblewrap``), which runs :mod:`grading.sandbox.runner` in fresh namespaces:

- **pid, network, ipc, uts, user and cgroup namespaces**: the notebook sees only its own processes
  and has no network at all (a loopback device of its own, so the kernel can talk to its runner);
- **a read-only view of only what it needs**: ``/usr``, the Python installation, and a copy of
  ``nnlib`` and ``grading`` (never the course folder, ``solutions/``, the gradebook,
  ``submitted/``, ``autograded/`` or another sandbox);
- **private, size-capped tmpfs** for its home (the only place it can write), ``/tmp``,
  ``/var/tmp``, ``/dev/shm`` and ``/run``, gone when the sandbox ends;
- **limits** (``prlimit``): address space, processes, file size, CPU time, no core dumps;
- **one lifetime**: ``--die-with-parent`` and a pid namespace, so when the runner ends, or the
  grader kills the sandbox at the notebook's deadline, every process in it ends too, however it
  detached.

The same command runs as root and as an ordinary user (bubblewrap then uses an unprivileged user
namespace); the sandboxed code runs as an unprivileged user id either way.

The notebook goes in as a read-only file; the executed cells' outputs come back on the runner's
standard output, read with a size cap. Everything that comes back is untrusted data.
"""

from __future__ import annotations

import compileall
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import grading
import nnlib

BWRAP_PACKAGE = "bubblewrap"
SANDBOX_HOME = "/home/student"
SANDBOX_SITE = "/opt/course"
SANDBOX_NOTEBOOK = "/opt/submission.ipynb"
SANDBOX_UID = 1000  # the student's user id inside the sandbox
UNPRIVILEGED_UID = 65534  # "nobody": whom a root grader starts sandboxes as
# Variables the kernel may inherit, by exact name: locale and the BLAS settings some machines need.
SYSTEM_FOLDERS = ("bin", "lib", "lib64", "sbin")  # beside /usr; links into it where /usr is merged
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives")
PASSED_ENV = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing, or this machine refuses to let it create namespaces."""


@dataclass(frozen=True)
class Limits:
    """What one notebook may use. Sizes in bytes, times in seconds."""

    memory: int = 4 * 2**30  # address space of each process
    processes: int = 256
    file_size: int = 64 * 2**20
    home_size: int = 256 * 2**20  # the writable tmpfs home
    tmp_size: int = 64 * 2**20  # each of /tmp, /var/tmp, /dev/shm, /run
    output: int = 32 * 2**20  # bytes of executed outputs read back


@dataclass
class SandboxRun:
    """What came back from one sandboxed notebook run (all of it untrusted, but for the flags)."""

    output: bytes
    returncode: int | None
    timed_out: bool = False  # killed at the deadline
    output_too_large: bool = False
    seconds: float = 0.0
    errors: str = ""  # the runner's own error stream, truncated: for the grader's log


def bwrap_path() -> str:
    """Where ``bwrap`` is; SandboxUnavailable (naming the package) if it is not installed."""
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            f"grading needs bubblewrap's `bwrap` to isolate student code, and it is not installed: "
            f"install the {BWRAP_PACKAGE!r} package (Debian/Ubuntu: apt-get install -y {BWRAP_PACKAGE}). "
            "Only to try things on your own laptop, --unsafe-no-sandbox runs notebooks unisolated."
        )
    return path


def _python_roots() -> list[str]:
    """The folders the Python interpreter and its packages live in (bound read-only)."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    return sorted(root for root in roots if not root.startswith("/usr/"))


def host_paths_shown() -> list[str]:
    """Every path of the host the sandbox sees (read-only), besides the packages' copy and the
    notebook: the system's programs and libraries, and the Python installation."""
    folders = [f"/{name}" for name in SYSTEM_FOLDERS]
    shown = ["/usr"] + [path for path in folders if os.path.isdir(path) and not os.path.islink(path)]
    shown += [path for path in SYSTEM_FILES if os.path.exists(path)]
    return shown + _python_roots()


def shows(path: str | os.PathLike) -> bool:
    """Whether a sandboxed notebook could read ``path`` (if its permissions let it)."""
    real = os.path.realpath(path)
    for shown in map(os.path.realpath, host_paths_shown()):
        if real == shown or real.startswith(shown.rstrip("/") + "/"):
            return True
    return False


def write_site(folder: Path) -> Path:
    """Copy the ``nnlib`` and ``grading`` packages into ``folder``, compiled to bytecode.

    The sandbox imports these copies, never the course folder: with an editable install the
    packages live beside ``solutions/``, which the sandbox must not see.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in (nnlib, grading):
        source = Path(package.__file__).resolve().parent
        shutil.copytree(source, folder / source.name, ignore=ignore)
    shutil.copy(Path(__file__).with_name("sitecustomize.py"), folder / "sitecustomize.py")
    compileall.compile_dir(folder, quiet=1)  # read-only in the sandbox: compile once, here
    return folder


def _readable_by_the_sandbox(*paths: Path) -> None:
    """Let the sandbox's user read ``paths``: the grader's own, or "nobody" when root grades."""
    for path in paths:
        if os.geteuid() == 0:
            os.chown(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID)


_site: tempfile.TemporaryDirectory | None = None
_site_folder: Path | None = None


def shared_site() -> Path:
    """This process's copy of the packages (:func:`write_site`), made on first use."""
    global _site, _site_folder
    if _site_folder is None:
        _site = tempfile.TemporaryDirectory(prefix="nnlib-site-")
        site = write_site(Path(_site.name) / "site")
        os.chmod(_site.name, 0o755)  # public code: readable by the sandbox's user, whoever grades
        for folder, _, files in os.walk(site):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        _site_folder = site
    return _site_folder


def use_site(folder: Path) -> None:
    """Make this process use ``folder``, another process's :func:`shared_site`, instead of its own
    (grading workers share their parent's copy for as long as the parent lives)."""
    global _site_folder
    _site_folder = Path(folder)


def sandbox_environment() -> dict[str, str]:
    """The sandbox's whole environment: nothing of the grader's (tokens, paths) leaks in.

    It is given to ``bwrap`` itself, not passed on its command line, so that neither bwrap's own
    init process (pid 1 in the sandbox) nor ``ps`` on the host shows the grader's environment.
    """
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env.update(
        HOME=SANDBOX_HOME,
        USER="student",
        PATH=os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        PYTHONPATH=SANDBOX_SITE,
        PYTHONDONTWRITEBYTECODE="1",
        TMPDIR="/tmp",
        MPLBACKEND="Agg",
        JUPYTER_PLATFORM_DIRS="1",
        OPENBLAS_NUM_THREADS="1",  # one thread per notebook: fair, reproducible timings
        OMP_NUM_THREADS="1",
    )
    return env


def bwrap_command(site: Path, notebook: Path, limits: Limits, cpu_seconds: int) -> list[str]:
    """The command line up to the sandboxed program: ``bwrap``'s namespaces and mounts, then limits."""
    command = []
    if os.geteuid() == 0:
        # Root is exempt from the process limit, even inside a user namespace: the sandbox is
        # started as an unprivileged user instead, exactly as when an ordinary user grades.
        command += [
            shutil.which("setpriv") or "setpriv",
            f"--reuid={UNPRIVILEGED_UID}",
            f"--regid={UNPRIVILEGED_UID}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ]
    command += [
        bwrap_path(),
        "--unshare-all",
        "--unshare-user",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
        "--hostname", "grading",
        "--die-with-parent",
        "--as-pid-1",  # no bwrap init inside: nothing there holds the result stream but the runner
        "--new-session",
        "--cap-drop", "ALL",
        "--proc", "/proc",
        "--dev", "/dev",
    ]  # fmt: skip
    # tmpfs mounts first: a later tmpfs would hide a bind made beneath it.
    for path, size in [
        ("/tmp", limits.tmp_size),
        ("/var/tmp", limits.tmp_size),
        ("/dev/shm", limits.tmp_size),
        ("/run", limits.tmp_size),
        (SANDBOX_HOME, limits.home_size),
    ]:
        command += ["--size", str(size), "--tmpfs", path]
    for name in SYSTEM_FOLDERS:
        if os.path.islink(f"/{name}"):  # merged /usr: /bin is usr/bin
            command += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
    for path in host_paths_shown():
        command += ["--ro-bind", path, path]
    command += ["--ro-bind", str(site), SANDBOX_SITE, "--ro-bind", str(notebook), SANDBOX_NOTEBOOK]
    command += ["--chdir", SANDBOX_HOME]
    # The limits are set inside the sandbox: the process limit then counts the processes of this
    # sandbox's user namespace only, so one notebook's fork bomb cannot starve its neighbours.
    command += [
        shutil.which("prlimit") or "prlimit",
        f"--as={limits.memory}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_size}",
        f"--cpu={cpu_seconds}",
        "--core=0",
        "--",
    ]
    return command


def run_notebook(
    notebook_json: str, cell_timeout: int, deadline: float, limits: Limits = Limits(), isolated: bool = True
) -> SandboxRun:
    """Execute a notebook in a fresh sandbox; return what its runner printed.

    Parameters
    ----------
    notebook_json : str
        The notebook to run, as nbgrader prepared it (locked cells restored).
    cell_timeout : int
        Seconds one cell may run before the runner interrupts it.
    deadline : float
        Seconds for the whole notebook, sandbox start included; then every process is killed.
    limits : Limits
    isolated : bool
        False only for ``--unsafe-no-sandbox``: the runner then starts as a plain child process,
        with the grader's rights, and a detached process can outlive it.
    """
    with tempfile.TemporaryDirectory(prefix="nnlib-sandbox-") as folder:
        folder = Path(folder)
        notebook = folder / "submission.ipynb"
        notebook.write_text(notebook_json, encoding="utf-8")
        _readable_by_the_sandbox(folder, notebook)
        runner = [sys.executable, "-s", "-m", "grading.sandbox.runner"]
        if not isolated:
            # Started in the scratch folder, as a sandboxed kernel starts in its empty home: the
            # notebook then cannot lean on files beside it that grading would not show it.
            unsafe = runner + [str(notebook), str(cell_timeout)]
            return _supervise(unsafe, dict(os.environ), deadline, limits.output, cwd=folder)
        command = bwrap_command(shared_site(), notebook, limits, cpu_seconds=max(1, int(deadline) + 1))
        command += runner + [SANDBOX_NOTEBOOK, str(cell_timeout)]
        return _supervise(command, sandbox_environment(), deadline, limits.output)


def _supervise(
    command: list[str], env: dict[str, str], deadline: float, cap: int, cwd: Path | None = None
) -> SandboxRun:
    """Run ``command`` in ``cwd``, read its output up to ``cap`` bytes, kill it all at ``deadline`` s."""
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # one process group: bwrap and everything outside the namespace
    )
    output, errors = bytearray(), bytearray()
    run = SandboxRun(b"", None)
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, output)
        selector.register(process.stderr, selectors.EVENT_READ, errors)
        while selector.get_map():
            remaining = deadline - (time.monotonic() - started)
            if remaining <= 0:
                run.timed_out = True
                break
            for key, _ in selector.select(timeout=min(remaining, 1.0)):
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
            del errors[:-65536]  # keep only the end of the runner's error stream
            if len(output) > cap:
                run.output_too_large = True
                break
    _kill(process)
    run.returncode = process.returncode
    run.output = bytes(output[:cap]) if not run.output_too_large else b""
    run.errors = errors[-4000:].decode("utf-8", "replace")
    run.seconds = time.monotonic() - started
    return run


def _kill(process: subprocess.Popen) -> None:
    """End the sandbox: bwrap's death takes the pid namespace, and every process in it, along."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()
    for stream in (process.stdout, process.stderr):
        stream.close()


def check_available(course: Path | None = None) -> None:
    """Start one empty sandbox; SandboxUnavailable with bwrap's own words if the machine refuses.

    Also refuses a course folder that lies inside what the sandbox shows read-only (``/usr`` or
    the Python installation): the sandbox would then show the course, solutions and all.
    """
    if course is not None:
        course = course.resolve()
        for shown in ["/usr", *_python_roots()]:
            if course.is_relative_to(shown):
                raise SandboxUnavailable(
                    f"the course folder {course} lies inside {shown}, which every sandbox can read; "
                    "move the course folder out of it"
                )
    with tempfile.TemporaryDirectory(prefix="nnlib-sandbox-") as folder:
        folder = Path(folder)
        notebook = folder / "empty.ipynb"
        notebook.write_text("{}")
        _readable_by_the_sandbox(folder, notebook)
        command = bwrap_command(shared_site(), notebook, Limits(), cpu_seconds=30)
        env = sandbox_environment()
        result = subprocess.run(
            command + ["/usr/bin/true"], env=env, capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise SandboxUnavailable(
                f"bubblewrap is installed but could not create a sandbox: {result.stderr.strip()[:300]}. "
                "It needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)."
            )
        # Import what is cheap to import, and find (not import) the kernel's packages: enough to
        # show the sandbox's user can read this Python's installation, at a tenth of the cost.
        probe = (
            "import importlib.util, nnlib, grading.sandbox.runner\n"
            "for name in ('ipykernel', 'nbclient'):\n"
            "    if importlib.util.find_spec(name) is None: raise ImportError(f'No module named {name!r}')"
        )
        imports = [sys.executable, "-s", "-c", probe]
        result = subprocess.run(command + imports, env=env, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            user = "the user 'nobody' (root starts sandboxes as nobody)" if os.geteuid() == 0 else "you"
            said = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1][:200]
            raise SandboxUnavailable(
                f"a sandbox could not start this Python with the kernel's packages ({said}): "
                f"{user} must be able to read {os.path.realpath(sys.base_prefix)} and the folders above it"
            )
