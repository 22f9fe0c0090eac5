"""Submissions of the tiny assignment that try to get points they did not earn, or break grading.

Each case starts from the students' version of ``tiny.ipynb`` (as a student receives it), fills in
answers (right or wrong) and adds one trick. ``earned`` is what the honest part of the submission
deserves, by hand from tiny_course's layout (square: 2 points, mean: 3). The grader must either
score a case at most ``earned`` with status "graded", or report it through its status or a flag.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from nbformat.v4 import new_code_cell
from tiny_course import MAX_SCORE, POINTS, WRONG_MEAN, WRONG_SQUARE

RIGHT_SQUARE = "def square(x):\n    return x * x"
RIGHT_MEAN = "def mean(values):\n    return sum(values) / len(values)"

ALLCLOSE_ALWAYS_TRUE = "import numpy as np\nnp.allclose = lambda *args, **kwargs: True"


@dataclass
class Case:
    name: str
    notebook: dict
    earned: float  # what the honest part of the submission deserves
    score: float | None = None  # exact expected score, when the grader can know it
    status: str = "graded"
    flags: set[str] = field(default_factory=set)  # flag kinds that must be reported
    note: str | None = None  # words the notes must contain
    extra_files: dict[str, str] = field(default_factory=dict)


def _index(notebook, grade_id: str) -> int:
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def answered(exercise, square: str, mean: str):
    """The students' notebook with both answer cells filled in."""
    notebook = copy.deepcopy(exercise)
    notebook["cells"][_index(notebook, "square")]["source"] = square
    notebook["cells"][_index(notebook, "mean")]["source"] = mean
    return notebook


def with_cell(notebook, source: str, before: str):
    """Insert a cell of the student's own before the cell ``before``."""
    notebook = copy.deepcopy(notebook)
    cell = new_code_cell(source)
    cell["id"] = f"student-{len(notebook['cells'])}"
    notebook["cells"].insert(_index(notebook, before), cell)
    return notebook


def attack_source(targets: dict[str, str], seconds: float = 20.0) -> str:
    """A cell that tries to change grades and course files, now and from a background process.

    ``targets`` maps a description to a path of the course; the attack adds its own sandbox's
    gradebook, description and autograded notebook (relative to the kernel's folder). A detached
    process keeps overwriting all of them for ``seconds``, long after the notebook's run, unless
    it is killed.
    """
    paths = sorted(targets.values()) + ["../../../gradebook.db", "../../../sandbox.json", "tiny.ipynb"]
    forged = "student,assignment,notebook,score\nmallory,t1_tiny,tiny,999\n"
    loop = (
        "import sys, time\n"
        "end = time.time() + float(sys.argv[1])\n"
        "while True:\n"
        f"    for path in {paths!r}:\n"
        "        try:\n"
        "            with open(path, 'w') as handle:\n"
        f"                handle.write({forged!r})\n"
        "        except OSError:\n"
        "            pass\n"
        "    if time.time() > end:\n"
        "        break\n"
        "    time.sleep(0.2)\n"
    )
    return (
        "import os, subprocess, sys\n"
        f"LOOP = {loop!r}\n"
        "sys.argv[1:] = ['0']\n"
        "exec(LOOP)  # one pass right now\n"
        "try:\n"
        "    os.kill(os.getppid(), 9)  # the grader itself\n"
        "except OSError:\n"
        "    pass\n"
        f"subprocess.Popen([sys.executable, '-c', LOOP, '{seconds}'], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    )


def cases(exercise, targets: dict[str, str]) -> list[Case]:
    """The adversarial corpus; ``targets`` are files of the course the attack case aims at."""
    right = answered(exercise, RIGHT_SQUARE, RIGHT_MEAN)
    wrong = answered(exercise, WRONG_SQUARE, WRONG_MEAN)
    square_only = answered(exercise, RIGHT_SQUARE, WRONG_MEAN)

    tests_pass = copy.deepcopy(wrong)
    for grade_id in POINTS:
        tests_pass["cells"][_index(tests_pass, grade_id)]["source"] = "pass"

    tests_deleted = copy.deepcopy(right)
    del tests_deleted["cells"][_index(tests_deleted, "test_mean")]

    points_raised = copy.deepcopy(right)
    for grade_id in POINTS:
        points_raised["cells"][_index(points_raised, grade_id)]["metadata"]["nbgrader"]["points"] = 100

    stripped = copy.deepcopy(right)
    for cell in stripped["cells"]:
        cell["metadata"] = {}

    duplicate = copy.deepcopy(wrong)
    fake_test = copy.deepcopy(duplicate["cells"][_index(duplicate, "test_square")])
    fake_test["source"], fake_test["id"] = "pass", "fake-test"
    duplicate["cells"].append(fake_test)  # nbgrader keeps the last copy of an id

    patched_builtins = "import builtins\nbuiltins.abs = lambda value: 0.0\n" + ALLCLOSE_ALWAYS_TRUE
    stubborn = (
        "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
        "    except KeyboardInterrupt:\n        pass"
    )
    swallow = "get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)"
    fake_numpy = (
        "import sys, types\nfake = types.ModuleType('numpy')\nfake.allclose = lambda *a, **k: True\n"
        "sys.modules['numpy'] = fake\nimport numpy as np"
    )

    return [
        Case("honest", right, earned=MAX_SCORE, score=MAX_SCORE),
        Case("honest-partial", square_only, earned=2, score=2),
        Case("tests-edited-to-pass", tests_pass, earned=0, score=0, note="restored"),
        Case("tests-deleted", tests_deleted, earned=5, score=2, status="test cells missing"),
        Case("points-raised", points_raised, earned=5, score=5, note="points changed"),
        Case("metadata-stripped", stripped, earned=5, score=0, status="test cells missing"),
        Case("duplicate-test-id", duplicate, earned=0, score=0, note="only the last copy"),
        Case(
            "numpy-patched",
            with_cell(wrong, ALLCLOSE_ALWAYS_TRUE, before="test_square"),
            earned=0,
            score=0,  # the hidden tests do not use numpy
            flags={"patches-module"},
        ),
        Case(
            "numpy-and-builtins-patched",
            with_cell(wrong, patched_builtins, before="test_square"),
            earned=0,
            flags={"patches-module", "touches-builtins"},
        ),
        Case(
            "builtin-rebound",
            with_cell(wrong, "abs = lambda value: 0.0\n" + ALLCLOSE_ALWAYS_TRUE, before="test_square"),
            earned=0,
            flags={"rebinds-name", "patches-module"},
        ),
        Case(
            "helper-rebound",
            with_cell(wrong, "def check_close(*args, **kwargs):\n    pass", before="test_square"),
            earned=0,
            score=0,
            flags={"rebinds-name"},
        ),
        Case(
            "errors-swallowed",
            with_cell(wrong, swallow, before="test_square"),
            earned=0,
            flags={"ipython-hooks"},
        ),
        Case(
            "fake-numpy-module",
            with_cell(wrong, fake_numpy, before="test_square"),
            earned=0,
            flags={"sys-modules"},
        ),
        Case(
            "numpy-file-beside-notebook",
            wrong,
            earned=0,
            score=0,
            note="ignored files",
            extra_files={"numpy.py": "def allclose(*args, **kwargs):\n    return True\n"},
        ),
        Case(
            "sys-exit",
            with_cell(right, "import sys\nsys.exit(1)", before="test_square"),
            earned=5,
            score=5,  # IPython turns SystemExit into an error of that one cell
            flags={"exits-process"},
        ),
        Case(
            "os-exit",
            with_cell(right, "import os\nos._exit(0)", before="test_square"),
            earned=5,
            score=0,
            status="kernel died",
            flags={"exits-process"},
        ),
        Case(
            "infinite-loop",
            with_cell(square_only, "while True:\n    pass", before="test_square"),
            earned=2,
            score=2,  # the loop is interrupted; the tests after it still run
            status="timed out",
        ),
        Case(
            "loop-ignoring-interrupts",
            with_cell(right, stubborn, before="test_square"),
            earned=5,
            score=0,
            status="timed out",
            flags={"exits-process"},  # it catches KeyboardInterrupt
        ),
        Case(
            "grader-attack",
            with_cell(right, attack_source(targets), before="test_square"),
            earned=5,
            score=5,
            flags={"background-process", "exits-process", "dynamic-code"},
        ),
    ]
