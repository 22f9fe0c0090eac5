"""A one-notebook assignment small enough to grade dozens of times in a test run.

``t1_tiny/tiny.ipynb``: a locked setup cell with a friendly ``check_close`` helper, two answers
(``square`` worth 2 points, ``mean`` worth 3) and their tests, each with a hidden test made of a
probe and a verdict (``grading.verdicts``). Every expected score in the grading tests is derived
from this layout by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "t1_tiny"
NOTEBOOK = "tiny"
POINTS = {"test_square": 2, "test_mean": 3}
MAX_SCORE = sum(POINTS.values())

SETUP = '''\
import math

import numpy as np


def check_close(name, got, expected, tol=1e-9):
    """Compare a result with the expected value and say what differs."""
    assert np.allclose(got, expected, atol=tol), f"{name}: expected {expected}, got {got}"'''

SQUARE = '''\
def square(x):
    """x times x."""
    ### BEGIN SOLUTION
    return x * x
    ### END SOLUTION'''

TEST_SQUARE = """\
check_close("square(3)", square(3.0), 9.0)
### BEGIN HIDDEN TESTS
from grading.probe import report

_INPUTS = [-2.0, 0.5, 7.0]
report("squares", [square(_v) for _v in _INPUTS])
### VERDICT
def verdict(squares):
    assert_close("square", squares, [v * v for v in _INPUTS], tol=1e-12)
### END HIDDEN TESTS"""

MEAN = '''\
def mean(values):
    """The arithmetic mean of a non-empty list of numbers."""
    ### BEGIN SOLUTION
    return sum(values) / len(values)
    ### END SOLUTION'''

TEST_MEAN = """\
check_close("mean([1, 2, 6])", mean([1.0, 2.0, 6.0]), 3.0)
### BEGIN HIDDEN TESTS
from grading.probe import report

report("visible", mean([1.0, 2.0, 6.0]))
report("hidden", mean([2.0, 7.0]))
### VERDICT
def verdict(visible, hidden):
    assert_close("mean([1, 2, 6])", visible, 3.0, tol=1e-12)
    assert_close("mean([2, 7])", hidden, 4.5, tol=1e-12)
### END HIDDEN TESTS"""

# Answers that earn nothing: wrong for the visible and the hidden tests alike.
WRONG_SQUARE = "def square(x):\n    return x + x"
WRONG_MEAN = "def mean(values):\n    return 0.0"


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def master_notebook() -> nbformat.NotebookNode:
    """The instructor's notebook, with answers and hidden tests."""
    intro = "# A tiny assignment\n\nWrite `square` and `mean`."
    cells = [
        new_markdown_cell(intro, metadata=_meta("intro", locked=True)),
        new_code_cell(SETUP, metadata=_meta("setup", locked=True)),
        new_code_cell(SQUARE, metadata=_meta("square", solution=True)),
        new_code_cell(TEST_SQUARE, metadata=_meta("test_square", grade=True, locked=True, points=2)),
        new_code_cell(MEAN, metadata=_meta("mean", solution=True)),
        new_code_cell(TEST_MEAN, metadata=_meta("test_mean", grade=True, locked=True, points=3)),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"  # fixed ids: the generated exercise is the same every time
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def make_course(root: Path, course_root: Path) -> Path:
    """A course folder at ``root``: the real nbgrader_config.py and the tiny assignment."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(course_root / "nbgrader_config.py", root / "nbgrader_config.py")
    folder = root / "solutions" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(master_notebook(), folder / f"{NOTEBOOK}.ipynb")
    return root
