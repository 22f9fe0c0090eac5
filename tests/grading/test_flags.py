"""The static look at student cells (grading.flags): what it flags, and what it leaves alone."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
import tiny_course
from nbformat.v4 import new_code_cell, new_notebook

from grading import flags
from grading.flags import cells_as_run, integrity_flags, read_master

COURSE_ROOT = Path(__file__).resolve().parents[2]

MASTER = tiny_course.master_notebook()
TINY = read_master("tiny", MASTER)


def with_student_cell(source: str, before: str = "test_square", notebook=MASTER):
    notebook = copy.deepcopy(notebook)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    index = ids.index(before)
    notebook.cells.insert(index, new_code_cell(source))
    return notebook, index


def kinds(notebook, master=TINY) -> set[str]:
    return {flag.kind for flag in integrity_flags(notebook, master)}


FLAGGED = [
    ("np.allclose = lambda *a, **k: True", "patches-module"),
    ("import numpy\nnumpy.testing.assert_allclose = print", "patches-module"),
    ("setattr(np, 'allclose', lambda *a, **k: True)", "patches-module"),
    ("del np.allclose", "patches-module"),
    ("math.isclose = lambda *a, **k: True", "patches-module"),
    ("abs = lambda value: 0", "rebinds-name"),
    ("def float(value):\n    return 0.0", "rebinds-name"),
    ("def check_close(*args, **kwargs):\n    pass", "rebinds-name"),
    ("check_close = print", "rebinds-name"),
    ("import nnlib as np", "rebinds-name"),
    ("np = None", "rebinds-name"),
    ("def helper():\n    global np\n    np = None", "rebinds-name"),
    ("for abs in range(3):\n    pass", "rebinds-name"),
    ("from math import *", "rebinds-name"),
    ("import builtins\nbuiltins.abs = lambda value: 0", "touches-builtins"),
    ("__builtins__.abs = lambda value: 0", "touches-builtins"),
    ("get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)", "ipython-hooks"),
    ("ip = get_ipython()\nip.events.register('post_run_cell', print)", "ipython-hooks"),
    ("%config InteractiveShell.ast_node_interactivity = 'none'", "ipython-hooks"),
    ("import os\nos._exit(0)", "exits-process"),
    ("from os import _exit\n_exit(0)", "exits-process"),
    ("import os as system\nsystem.kill(system.getppid(), 9)", "exits-process"),
    ("import sys\nsys.exit()", "exits-process"),
    ("raise SystemExit", "exits-process"),
    ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)", "exits-process"),
    ("import sys\nsys.modules['numpy'] = None", "sys-modules"),
    ("import sys\nsys.settrace(print)", "sys-modules"),
    ("exec('x = 1')", "dynamic-code"),
    ("eval('1')", "dynamic-code"),
    ("import importlib\nimportlib.reload(np)", "dynamic-code"),
    ("check_close.__code__ = (lambda *a, **k: None).__code__", "dynamic-code"),
    ("globals()['check_close'] = print", "dynamic-code"),
    ("getattr(np, '__dict__')['allclose'] = print", "dynamic-code"),
    ("import subprocess\nsubprocess.Popen(['sleep', '60'])", "background-process"),
    ("import threading\nthreading.Thread(target=print).start()", "background-process"),
    ("import os\nos.fork()", "background-process"),
    ("!sleep 60 &", "background-process"),
    ("%%bash\nsleep 60 &", "background-process"),
    ("files = !ls", "background-process"),
    ("%timeit np.sum = print", "patches-module"),
    ("class Liar(float):\n    pass", "operator-overloading"),
    ("class Liar:\n    def __eq__(self, other):\n        return True", "operator-overloading"),
    ("open('grades.csv', 'w').write('999')", "writes-files"),
    ("import pathlib\npathlib.Path('x').write_text('1')", "writes-files"),
    ("import os\nos.remove('gradebook.db')", "writes-files"),
    ("def broken(:\n    pass", "unparsed-cell"),
]


@pytest.mark.parametrize("source, kind", FLAGGED, ids=[source.splitlines()[0][:40] for source, _ in FLAGGED])
def test_suspicious_constructs_are_flagged(source, kind):
    notebook, index = with_student_cell(source)
    flags = integrity_flags(notebook, TINY)
    assert kind in {flag.kind for flag in flags}, flags
    assert all(flag.cell == index for flag in flags), "flags name the cell they were found in"


HARMLESS = [
    "import numpy as np",
    "import numpy\nimport math",
    "from numpy import linalg",
    "%matplotlib inline",
    "%time total = sum([1, 2, 3])",
    "x = np.linspace(0.0, 1.0, 5)\nprint(np.allclose(x, x))",
    "def helper(values):\n    sum = 0.0\n    for abs in values:\n        sum += abs\n    return sum",
    "class Point:\n    def __init__(self, x):\n        self.x = x\n    def __call__(self):\n        return 1",
    "values = [abs(v) for v in (-1, 2)]",
    "with open('notes.txt') as handle:\n    text = handle.read()",
    "results = {}\nresults['a'] = 1",
    "square = lambda x: x * x",  # an answer name may be defined any way the student likes
]


@pytest.mark.parametrize("source", HARMLESS, ids=[source.splitlines()[0][:40] for source in HARMLESS])
def test_ordinary_code_is_not_flagged(source):
    notebook, _ = with_student_cell(source)
    assert integrity_flags(notebook, TINY) == []


def test_rebinding_after_the_last_test_changes_nothing_and_is_not_flagged():
    notebook = copy.deepcopy(MASTER)
    notebook.cells.append(new_code_cell("check_close = print\nabs = None"))
    assert integrity_flags(notebook, TINY) == []


def test_a_test_variable_matters_only_until_a_locked_cell_binds_it_again():
    def meta(grade_id, **flags):
        return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, **flags}}

    test = {"grade": True, "locked": True, "points": 1}
    master = new_notebook(
        cells=[
            new_code_cell("data = [1.0, 2.0]", metadata=meta("test_a", **test)),
            new_code_cell("answer = 1", metadata=meta("answer", solution=True)),
            new_code_cell("assert len(data) == 2", metadata=meta("test_b", **test)),
        ]
    )
    trusted = read_master("m", master)
    before_first = copy.deepcopy(master)
    before_first.cells.insert(0, new_code_cell("data = []"))
    between = copy.deepcopy(master)
    between.cells.insert(2, new_code_cell("data = [0, 0]"))
    assert integrity_flags(before_first, trusted) == []  # test_a binds data itself
    assert kinds(between, trusted) == {"rebinds-name"}  # test_b reads what test_a bound


def test_nbgrader_keeps_the_last_of_duplicate_ids_and_runs_the_others_as_student_code():
    notebook = copy.deepcopy(MASTER)
    fake = copy.deepcopy(notebook.cells[3])  # test_square
    fake.source = "np.allclose = print"
    notebook.cells.insert(2, fake)  # an earlier copy: it loses its id and runs as written
    roles = [(cell.role, cell.grade_id) for cell in cells_as_run(notebook, TINY)]
    assert roles[2] == ("student", None)
    assert roles[4] == ("restored", "test_square")
    assert "patches-module" in kinds(notebook)


def test_unknown_ids_run_as_student_code_and_locked_cells_are_read_from_the_master():
    notebook = copy.deepcopy(MASTER)
    notebook.cells[1].metadata["nbgrader"]["grade_id"] = "not-in-the-gradebook"
    notebook.cells[3].source = "np.allclose = print"  # edited test: nbgrader restores it
    roles = {cell.index: cell for cell in cells_as_run(notebook, TINY)}
    assert roles[1].role == "student"
    assert roles[3].role == "restored" and roles[3].source == tiny_course.TEST_SQUARE


def test_master_reads_points_and_tests():
    assert [cell.grade_id for cell in TINY.tests] == list(tiny_course.POINTS)
    assert TINY.max_score == tiny_course.MAX_SCORE


def _course_notebooks(folder: str):
    return sorted((COURSE_ROOT / folder).glob("*/*.ipynb"))


@pytest.mark.parametrize("path", _course_notebooks("solutions"), ids=lambda p: p.parent.name)
def test_the_course_solutions_raise_no_flag(path):
    """The instructor's own answers are honest: every flag on them would be a false alarm."""
    notebook = nbformat.read(path, as_version=4)
    assert integrity_flags(notebook, read_master(path.stem, notebook)) == []


@pytest.mark.parametrize("path", _course_notebooks("exercises"), ids=lambda p: p.parent.name)
def test_the_untouched_exercises_raise_no_flag(path):
    master_path = COURSE_ROOT / "solutions" / path.parent.name / path.name
    if not master_path.exists():
        pytest.skip("exercise without a solution: the drift test reports it")
    master = read_master(path.stem, nbformat.read(master_path, as_version=4))
    assert integrity_flags(nbformat.read(path, as_version=4), master) == []


def test_every_flag_kind_is_documented():
    flagged_kinds = {kind for _, kind in FLAGGED}
    assert flagged_kinds <= set(flags.FLAG_KINDS)


def test_arithmetic_is_expected_only_of_a_class_the_tests_build_and_comparisons_never():
    def meta(grade_id, **flags):
        return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, **flags}}

    master = new_notebook(
        cells=[
            new_code_cell("class Value:\n    pass", metadata=meta("value", solution=True)),
            new_code_cell(
                "assert (Value(2.0) + Value(1.0)).data == 3.0",
                metadata=meta("test_value", grade=True, locked=True, points=1),
            ),
        ]
    )
    master_cells = read_master("value", master)

    def flags_for(answer: str) -> list[str]:
        notebook = copy.deepcopy(master)
        notebook.cells[0].source = answer
        return [flag.detail for flag in integrity_flags(notebook, master_cells)]

    add = "    def __add__(self, other):\n        return Value(self.data + other.data)\n"
    init = "    def __init__(self, data):\n        self.data = data\n"
    assert flags_for("class Value:\n" + init + add) == []  # the task's own subject
    lying = "    def __eq__(self, other):\n        return True\n"
    assert flags_for("class Value:\n" + init + add + lying) == ["Value.__eq__"]
    assert flags_for("class Helper:\n" + init + add + "Value = Helper") == ["Helper.__add__"]
