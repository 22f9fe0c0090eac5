"""A real JupyterHub for one test module: system users, the hub of ``hub/``, and helpers.

The hub runs from the installation ``hub/install.sh`` made (``NN_COURSE_PREFIX``, default
``/opt/nn-course``), with its own course id, state folder, ports and course repository, so it
touches nothing of a class that may be using the same installation.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests"))

from polling import wait_until  # noqa: E402

PREFIX = Path(os.environ.get("NN_COURSE_PREFIX", "/opt/nn-course"))
VENV_BIN = PREFIX / "venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, raising with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


@dataclass
class ClassHub:
    """A running hub with one instructor and two students, all real system accounts."""

    url: str
    password: str
    instructor: str
    students: list[str]
    course_id: str
    course_repo: Path  # the published course nbgitpuller pulls from (a bare git repository)
    public: Path  # the folder holding it, readable by every user
    course_source: Path  # what ``hub/publish.sh`` publishes from
    state: Path
    process: subprocess.Popen
    log_path: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exchange(self) -> Path:
        return PREFIX / "exchange" / self.course_id

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def environment(self, user: str) -> dict[str, str]:
        """What the hub's spawner gives ``user``'s server, for commands run as them."""
        role = "instructor" if user == self.instructor else "student"
        return {
            "HOME": str(self.home(user)),
            "USER": user,
            "LANG": "C.UTF-8",
            "PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
            "NN_COURSE_ID": self.course_id,
            "NN_COURSE_EXCHANGE": str(PREFIX / "exchange"),
            "JUPYTER_CONFIG_PATH": os.pathsep.join(
                [str(PREFIX / "etc" / "roles" / role), str(PREFIX / "etc" / "roles" / "common")]
            ),
        }

    def run_as(self, user: str, command: list[str], cwd: Path | None = None, check: bool = True):
        """Run ``command`` as ``user``, as in a terminal of their JupyterLab."""
        full = ["runuser", "-u", user, "--", "env", "-i"]
        full += [f"{key}={value}" for key, value in self.environment(user).items()]
        result = subprocess.run(
            full + command, capture_output=True, text=True, cwd=cwd or self.home(user), timeout=300
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"as {user}: {' '.join(command)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM stops the hub, its proxy and every user's server; wait for all of them."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.public, ignore_errors=True)
        shutil.rmtree(self.exchange, ignore_errors=True)


def create_users(names: list[str]) -> None:
    run([str(REPO_ROOT / "hub" / "add_users.sh"), *names])


def remove_users(names: list[str]) -> None:
    """Stop what the test users still run (by process id), then delete them and their homes."""
    for name in names:
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def give_instructor_the_course(hub_user: str) -> Path:
    """The instructor's checkout of the course: its nbgrader configuration, sources and release."""
    home = Path(pwd.getpwnam(hub_user).pw_dir)
    course = home / "course"
    course.mkdir()
    shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO_ROOT / folder, course / folder)
    run(["chown", "-R", f"{hub_user}:{hub_user}", str(course)])
    return course


def publish_course(source: Path, repository: Path, message: str) -> None:
    run(
        [str(REPO_ROOT / "hub" / "publish.sh"), str(repository), message],
        env={**os.environ, "NN_COURSE_SOURCE": str(source)},
    )


def start_hub(tmp: Path, instructor: str, students: list[str]) -> ClassHub:
    """Start the course's hub on 127.0.0.1 with a shared test password, and wait until it answers."""
    tag = secrets.token_hex(3)
    course_id = f"nn-course-test-{tag}"
    state = tmp / "hub-state"
    state.mkdir(mode=0o700)
    # What every user's server must read, the course repository, cannot live under pytest's
    # temporary folders: pytest keeps their root private to the user running the tests.
    public = Path(tempfile.mkdtemp(prefix="nn-course-hub-test-"))
    public.chmod(0o755)
    course_source = tmp / "course-source"
    course_source.mkdir()
    for folder in ("lectures", "exercises"):
        shutil.copytree(REPO_ROOT / folder, course_source / folder)
    course_repo = public / "course.git"
    publish_course(course_source, course_repo, "Course as installed")
    gitconfig = public / "gitconfig"
    gitconfig.write_text(f"[safe]\n\tdirectory = {course_repo}\n")
    gitconfig.chmod(0o644)

    password = secrets.token_hex(12)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "NN_COURSE_PREFIX": str(PREFIX),
        "NN_COURSE_ID": course_id,
        "NN_COURSE_AUTH": "shared-password",
        "NN_COURSE_SHARED_PASSWORD": password,
        "NN_COURSE_INSTRUCTORS": instructor,
        "NN_COURSE_STUDENTS": ",".join(students),
        "NN_COURSE_HUB_URL": url,
        "NN_COURSE_STATE": str(state),
        "NN_COURSE_GITCONFIG": str(gitconfig),
    }
    log_path = tmp / "hub.log"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "jupyterhub"),
            "-f",
            str(PREFIX / "etc" / "jupyterhub_config.py"),
            f"--JupyterHub.hub_bind_url=http://127.0.0.1:{free_port()}",
            f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}",
        ],
        cwd=state,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    hub = ClassHub(
        url=url,
        password=password,
        instructor=instructor,
        students=students,
        course_id=course_id,
        course_repo=course_repo,
        public=public,
        course_source=course_source,
        state=state,
        process=process,
        log_path=log_path,
    )

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the hub exited with {process.returncode}:\n{hub.log_tail()}")
        try:
            return requests.get(f"{url}/hub/health", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(answers, timeout=60, what="the hub to answer /hub/health")
    except BaseException:
        hub.stop()
        raise
    hub.timings["hub up"] = time.monotonic() - started
    return hub
