"""A throw-away JupyterLab server and the few page actions the browser test needs.

The server runs on 127.0.0.1 with a random token, its own settings, workspace and config folders,
and the Python that runs the tests. The page helpers wait on what a person would wait for: the
kernel going idle, every cell numbered, and a figure that has stopped changing.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
from polling import wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
# The course's own JupyterLab configuration (its settings: widget state saved with notebooks);
# the options given on the command line below take precedence over it.
COURSE_CONFIG = REPO_ROOT / "jupyter" / "jupyter_lab_config.py"

# Settings written before the server starts: no news pop-up over the notebook, and every cell
# kept in the DOM (JupyterLab otherwise skips rendering cells outside the viewport, which would
# hide their outputs from the checks).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, code_cells: list[str]) -> Path:
    """Write a notebook with one code cell per source string, for the Python 3 kernel."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in code_cells]
    nbformat.write(notebook, path)
    return path


def server_environment(home: Path) -> dict[str, str]:
    """A copy of this process's environment for the server and its kernels.

    Jupyter's user folders point into ``home`` so that no personal configuration, kernel or
    setting leaks in; the test's Python comes first on PATH, and the repository comes first on
    PYTHONPATH so the kernel imports the nnlib under test.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("JUPYTER")}
    env.pop("MPLBACKEND", None)  # the kernel picks its own inline backend
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(home / "ipython"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    )
    return env


@dataclass
class LabServer:
    """A running ``jupyter lab`` process started by :func:`start_jupyterlab`."""

    process: subprocess.Popen
    port: int
    token: str
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The address of ``path`` (such as ``lab/tree/a.ipynb``) with the login token."""
        return f"{self.base_url}/{path}?token={self.token}"

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API; return the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, n_lines: int = 40) -> str:
        """The last lines of the server's log, for failure messages."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n_lines:])

    def stop(self) -> None:
        """Shut the server down with its kernels; escalate to SIGTERM, then SIGKILL, if it hangs.

        The server runs in a session of its own, so the signals reach it and the kernels it
        started, and nothing else.
        """
        if self.process.poll() is not None:
            return
        try:
            self.api("shutdown", method="POST")
            self.process.wait(timeout=15)
            return
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            pass
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                continue


def start_jupyterlab(root_dir: Path, home: Path, timeout: float = 60.0) -> LabServer:
    """Start ``jupyter lab`` serving ``root_dir``; return once its REST API answers.

    Parameters
    ----------
    root_dir : Path
        Folder the server shows (holds the notebooks to open).
    home : Path
        Empty folder for the server's settings, workspaces, config and log.
    timeout : float
        Seconds to wait for the server to answer before giving up.
    """
    settings_dir, workspaces_dir = home / "settings", home / "workspaces"
    for relative_path, settings in LAB_SETTINGS.items():
        path = settings_dir / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    workspaces_dir.mkdir(parents=True, exist_ok=True)

    port, token = free_port(), secrets.token_hex(24)
    log_path = home / "jupyterlab.log"
    options = [
        f"--config={COURSE_CONFIG}",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        f"--LabApp.user_settings_dir={settings_dir}",
        "--LabApp.news_url=None",
        "--allow-root",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", *options],
            cwd=root_dir,
            env=server_environment(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(process, port, token, log_path)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with code {process.returncode} before answering; "
                f"its log ends with:\n{server.log_tail()}"
            )
        try:
            server.api("status")
            return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.25)
    server.stop()
    raise TimeoutError(
        f"jupyter lab did not answer within {timeout} s; its log ends with:\n{server.log_tail()}"
    )


# --- page actions -------------------------------------------------------------------------------


def save_notebook(page, path: Path, timeout: float = 30.0) -> None:
    """Save the open notebook through the File menu; return once ``path`` is completely written.

    The server writes in place, keeping a copy of the old file as ``.~<name>`` until it is done,
    so the save is complete when the file has changed and that copy is gone.
    """
    before = path.stat().st_mtime_ns
    in_progress = path.with_name(f".~{path.name}")
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator('.lm-Menu-item[data-command="docmanager:save"]').click()
    wait_until(
        lambda: path.stat().st_mtime_ns != before and not in_progress.exists(),
        timeout,
        what=f"JupyterLab to save {path.name}",
    )


def shut_down_kernels(server: LabServer) -> None:
    """End every session and its kernel, as closing a notebook with "Shut Down Kernel" does."""
    for session in server.api("sessions"):
        server.api(f"sessions/{session['id']}", method="DELETE")
    wait_until(lambda: server.api("kernels") == [], timeout=15, what="every kernel to shut down")


def open_notebook(page, server: LabServer, name: str) -> None:
    """Open ``name`` alone (a fresh workspace) and wait until its kernel is idle."""
    page.goto(server.url(f"lab/tree/{name}") + "&reset")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
    wait_until(lambda: kernel_is_idle(server), timeout=60, what=f"the kernel of {name} to start")


def run_all_cells(page) -> None:
    """Run every cell through the Run menu, as a reader would."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def kernel_is_idle(server: LabServer) -> bool:
    """True when the server knows of at least one kernel and all of them are idle."""
    try:
        kernels = server.api("kernels")
    except urllib.error.HTTPError as error:
        # jupyter_server answers 500 when asked while a kernel is still starting (its
        # last_activity is not set yet): that kernel is simply not idle yet.
        if error.code >= 500:
            return False
        raise
    return bool(kernels) and all(kernel["execution_state"] == "idle" for kernel in kernels)


def execution_prompts(page) -> list[str]:
    """The prompt of each code cell: ``[3]:`` once run, ``[*]:`` while queued or running."""
    return page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()


def unexecuted_cells(page) -> list[int]:
    """Indices of the code cells that have no execution number (never run, or skipped after an error)."""
    prompts = execution_prompts(page)
    return [index for index, prompt in enumerate(prompts) if not any(ch.isdigit() for ch in prompt)]


def wait_for_quiet_notebook(page, server: LabServer, timeout: float = 60.0) -> None:
    """Wait until no cell is queued or running, the kernel is idle and no widget is still loading.

    A cell that raises makes the kernel skip the cells queued after it; those stay unnumbered,
    so check :func:`unexecuted_cells` afterwards.
    """

    def quiet() -> bool:
        return (
            not any("*" in prompt for prompt in execution_prompts(page))
            and kernel_is_idle(server)
            and page.get_by_text("Loading widget", exact=False).count() == 0
        )

    wait_until(quiet, timeout, interval=0.25, what="no cell running, kernel idle, widgets loaded")


def stable_image_source(image, settle: float = 1.0, timeout: float = 20.0, differs_from: str | None = None):
    """Wait for ``image`` (a Playwright locator of an ``<img>``) to stop changing; return its src.

    The src (a PNG data URL) must stay the same for ``settle`` seconds, and, if ``differs_from``
    is given, differ from it.
    """
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        sources = image.evaluate_all("images => images.map(img => img.src)")
        source = sources[0] if sources else None
        if source != last:
            last, since = source, time.monotonic()
        elif source and source != differs_from and time.monotonic() - since >= settle:
            return source
        time.sleep(0.1)
    wanted = "change and then settle" if differs_from is not None else "settle"
    raise TimeoutError(f"the figure did not {wanted} within {timeout} s")


def rendering_problems(page) -> list[str]:
    """What a reader would see go wrong in the open notebook: broken widgets and tracebacks."""
    notebook = page.locator(".jp-Notebook")
    text = notebook.inner_text()
    problems = []
    for message in ("Error displaying widget", "Loading widget"):
        if message in text:
            problems.append(f"{message!r} is shown")
    if notebook.locator(".jupyter-widgets-error-widget").count():
        problems.append("a widget failed to render (JavaScript error placeholder)")
    for output in notebook.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts():
        if "Traceback" in output or "Error" in output:
            problems.append(f"an error was printed:\n{output}")
    return problems
