"""One notebook in its bubblewrap sandbox (grading.sandbox): what it sees, and what is left after."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading import sandbox

COURSE_ROOT = Path(__file__).resolve().parents[2]


def run_cells(*sources: str, cell_timeout: int = 20, deadline: float = 60, **limits):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    run = sandbox.run_notebook(nbformat.writes(notebook), cell_timeout, deadline, sandbox.Limits(**limits))
    return run, (json.loads(run.output) if run.output else None)


def text_of(result, index: int) -> str:
    return "".join(o.get("text", "") + str(o.get("evalue", "")) for o in result["cells"][index]["outputs"])


def test_a_missing_bwrap_stops_grading_with_the_package_name(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        sandbox.bwrap_path()


def test_the_sandbox_sees_its_own_copy_of_nnlib_and_nothing_of_the_course(monkeypatch):
    monkeypatch.setenv("NNLIB_TEST_SECRET", "a token the grader holds")
    probe = f"""
import os, pathlib, nnlib
root = pathlib.Path(nnlib.__file__).resolve().parents[1]
print("nnlib at", nnlib.__file__)
print("course visible:", os.path.exists({str(COURSE_ROOT)!r}), os.path.exists(str(root / "solutions")))
print("uid", os.getuid(), "pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:3])
print("env keys", sorted(os.environ))
"""
    run, result = run_cells(probe)
    out = text_of(result, 0)
    assert "nnlib at /opt/course/nnlib/__init__.py" in out
    assert "course visible: False False" in out
    assert "uid 1000 pids [1, 2" in out  # its own pid namespace: the sandbox's init and the runner
    assert "env keys" in out and "NNLIB_TEST_SECRET" not in out


def test_the_kernel_starts_without_the_packages_a_graded_run_never_uses():
    probe = """
import sys
for name in ("jedi", "debugpy"):
    try:
        __import__(name)
        print(name, "imported")
    except ImportError:
        print(name, "hidden")
print("loaded:", sorted(name for name in ("jedi", "debugpy") if sys.modules.get(name)))
"""
    run, result = run_cells(probe, "print(6 * 7)")
    assert result["status"] == "ran"
    assert text_of(result, 0).split() == ["jedi", "hidden", "debugpy", "hidden", "loaded:", "[]"]
    assert text_of(result, 1) == "42\n"


def test_no_network_reaches_a_listener_on_the_host():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    attempt = f"""
import socket
for host in ("127.0.0.1", {socket.gethostname()!r}, "1.1.1.1"):
    try:
        socket.create_connection((host, {port}), timeout=2).sendall(b"hidden tests")
        print("connected to", host)
    except OSError as error:
        print("refused:", host, type(error).__name__)
"""
    run, result = run_cells(attempt)
    assert "connected" not in text_of(result, 0)
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


def test_nothing_survives_the_sandbox_and_the_host_scratch_folders_are_untouched():
    marker = f"nnlib-test-detached-{os.getpid()}"
    folders = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock"]
    before = {folder: sorted(os.listdir(folder)) for folder in folders if os.path.isdir(folder)}
    escape = f"""
import os, subprocess
for folder in {folders!r}:
    try:
        open(os.path.join(folder, "{marker}"), "w").write("answers")
    except OSError:
        pass
subprocess.Popen(["sh", "-c", "sleep 600 # {marker}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    os.execvp("sleep", ["sleep", "601", "{marker}"])
"""
    run, result = run_cells(escape)
    assert result["status"] == "ran"
    time.sleep(0.5)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                survivors.append(pid)
        except OSError:
            continue
    assert survivors == []
    assert [folder for folder in before if os.path.exists(os.path.join(folder, marker))] == []
    quiet = ("/run/lock", "/dev/shm")  # folders nothing else here writes to: not one entry more
    assert {f: sorted(os.listdir(f)) for f in quiet if f in before} == {
        f: before[f] for f in quiet if f in before
    }


def test_the_deadline_kills_a_notebook_that_ignores_interrupts():
    stubborn = (
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: time.sleep(0.1)"
    )
    started = time.monotonic()
    run, _ = run_cells(stubborn, cell_timeout=60, deadline=8)
    assert run.timed_out and time.monotonic() - started < 15


def test_output_beyond_the_cap_is_dropped_not_read():
    run, result = run_cells("print('x' * 3_000_000)", output=1_000_000)
    assert run.output_too_large and result is None


def test_limits_hold_memory_and_file_size():
    hog = """
try:
    held = bytearray(3 * 2**30)
    print("allocated")
except MemoryError:
    print("refused")
"""
    big_file = """
try:
    open("big", "wb").write(b"0" * 2**21)
    print("wrote")
except OSError as error:
    print("refused", error.errno)
"""
    run, result = run_cells(hog, big_file, memory=2 * 2**30, file_size=2**20)
    assert "refused" in text_of(result, 0)
    assert "refused" in text_of(result, 1)


def test_a_fork_bomb_meets_the_process_limit_and_leaves_a_neighbour_alone():
    bomb = """
import os, time
children = 0
try:
    while children < 2000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError:
    pass
print("children", children)
time.sleep(8)
"""
    results = {}

    def run_bomb():
        results["bomb"] = run_cells(bomb)  # the default limit: as many processes as a notebook gets

    thread = threading.Thread(target=run_bomb)
    thread.start()
    time.sleep(5)  # the bomb holds its processes while the neighbour starts and runs
    _, neighbour = run_cells("import numpy as np\nprint('neighbour', np.arange(3).sum())")
    thread.join()
    _, bombed = results["bomb"]
    children = int(text_of(bombed, 0).split()[1])
    assert 100 < children < sandbox.Limits().processes
    assert text_of(neighbour, 0) == "neighbour 3\n"
