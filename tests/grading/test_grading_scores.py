"""How tools/grade.py turns an autograded notebook and a run's outcome into a CSV row (no kernels)."""

from __future__ import annotations

import copy
import csv

import grade
import pytest
import tiny_course
from grading_checks import read_master
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

MASTER = tiny_course.master_notebook()
TINY = read_master("tiny", MASTER)


def autograded(errors=(), skip=(), not_run=(), timed_out=(), edits=None):
    """The tiny master as nbgrader would leave it after a run, with chosen test cells failing."""
    notebook = copy.deepcopy(MASTER)
    kept = []
    for count, cell in enumerate(notebook.cells, start=1):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id in skip:
            continue
        if cell.cell_type == "code":
            cell.execution_count = None if grade_id in not_run else count
            if grade_id in errors:
                cell.outputs = [new_output("error", ename="AssertionError", evalue="wrong", traceback=[])]
            if grade_id in timed_out:
                cell.outputs = [new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
            if edits and grade_id in edits:
                cell.source = edits[grade_id]
        kept.append(cell)
    notebook.cells = kept
    return notebook


@pytest.mark.parametrize(
    "notebook, score, missing",
    [
        (autograded(), 5, []),
        (autograded(errors={"test_mean"}), 2, []),
        (autograded(errors={"test_square", "test_mean"}), 0, []),
        (autograded(skip={"test_mean"}), 2, ["test_mean"]),
        (autograded(not_run={"test_square"}), 3, []),  # a test that never ran earns nothing
        (autograded(edits={"test_square": "pass"}), 3, []),  # nor does one that is not the instructor's
    ],
    ids=["all pass", "one fails", "both fail", "one missing", "one never ran", "one altered"],
)
def test_points_come_from_the_instructors_tests(notebook, score, missing):
    scored = grade.score_notebook(TINY, notebook)
    assert scored.score == score
    assert scored.missing == missing


def test_points_in_the_autograded_notebook_are_ignored():
    notebook = autograded()
    for cell in notebook.cells:
        if cell.metadata["nbgrader"].get("grade"):
            cell.metadata["nbgrader"]["points"] = 1000
    assert grade.score_notebook(TINY, notebook).score == tiny_course.MAX_SCORE


def outcome(log="", succeeded=True, watchdog=False, ended=True):
    return grade.RunOutcome(succeeded=succeeded, log=log, watchdog_fired=watchdog, all_processes_ended=ended)


def settled(master, run_outcome, notebook):
    result = grade.NotebookResult("s", "t1_tiny", "tiny", 0.0, master.max_score, "graded")
    grade._settle(result, master, run_outcome, notebook)
    return result


@pytest.mark.parametrize(
    "run_outcome, notebook, status, score",
    [
        (outcome(), autograded(), "graded", 5),
        (outcome(), autograded(skip={"test_mean"}), "test cells missing", 2),
        (outcome(), autograded(timed_out={"test_mean"}), "timed out", 2),
        (outcome(watchdog=True, succeeded=False), None, "timed out", 0),
        (outcome("DeadKernelError: Kernel died", succeeded=False), None, "kernel died", 0),
        (outcome("ValueError: something else", succeeded=False), None, "grader error", 0),
        (outcome(ended=False), autograded(), "grader error", 5),
        (outcome("UnresponsiveKernelError", succeeded=False), None, "timed out", 0),
        (
            outcome("CellTimeoutError: Timeout waiting for IOPub output", succeeded=False),
            None,
            "timed out",
            0,
        ),
    ],
    ids=[
        "graded",
        "missing",
        "cell-timeout",
        "notebook-timeout",
        "died",
        "failure",
        "survivors",
        "stuck",
        "iopub",
    ],
)
def test_status_names_the_most_severe_problem(run_outcome, notebook, status, score):
    result = settled(TINY, run_outcome, notebook)
    assert (result.status, result.score) == (status, score)
    assert result.notes or status == "graded"


def test_manually_graded_answers_are_reported():
    master = copy.deepcopy(MASTER)
    answer = new_markdown_cell("Explain.")
    answer.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False}
    answer.metadata["nbgrader"].update(grade_id="essay", points=4, schema_version=3)
    master.cells.append(answer)
    trusted = read_master("tiny", master)
    result = settled(trusted, outcome(), autograded())
    assert result.status == "needs manual grading"
    assert (result.score, result.max_score) == (5, 9)


def test_edits_to_locked_cells_are_noted():
    released = copy.deepcopy(MASTER)
    submitted = copy.deepcopy(MASTER)
    submitted.cells[3].source = "pass"
    submitted.cells[5].metadata["nbgrader"]["points"] = 99
    del submitted.cells[1]
    notes = " ".join(grade.tampering_notes(submitted, released))
    assert "restored: test_square" in notes
    assert "reset: test_mean" in notes
    assert "absent from the submission: setup" in notes


def test_unreadable_and_missing_submissions(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{ not json")
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "broken.ipynb")
    assert grade.read_submission(tmp_path / "absent.ipynb") == (None, "not submitted")
    assert grade.read_submission(tmp_path / "broken.ipynb")[1].startswith("unreadable")
    assert grade.read_submission(tmp_path / "link.ipynb")[1].startswith("unreadable")


def test_student_folders_with_odd_names_are_skipped(tmp_path):
    for name in ("alice", "bob.smith", "../escape", "-dash", "with space"):
        folder = tmp_path / name.replace("../", "dots..") / "t1_tiny"
        folder.mkdir(parents=True)
    found, skipped = grade.list_submissions(tmp_path, "t1_tiny")
    assert [student for student, _ in found] == ["alice", "bob.smith", "dots..escape"]
    assert len(skipped) == 2


def test_csv_has_one_row_per_notebook_with_the_documented_columns(tmp_path):
    results = [
        grade.NotebookResult("zoe", "t1_tiny", "tiny", 2.0, 5.0, "graded"),
        grade.NotebookResult("amy", "t1_tiny", "tiny", 0.0, 5.0, "kernel died", ["exits-process(x)@cell3"]),
    ]
    path = tmp_path / "out" / "grades.csv"
    grade.write_csv(results, path)
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == grade.CSV_COLUMNS
    assert [(row["student"], row["score"], row["status"]) for row in rows] == [
        ("amy", "0", "kernel died"),
        ("zoe", "2", "graded"),
    ]
    assert rows[0]["flags"] == "exits-process(x)@cell3"


def test_every_status_has_a_rank():
    assert grade.STATUSES[-1] == "graded"
    empty = new_notebook(cells=[new_code_cell("pass")])
    assert grade.score_notebook(read_master("empty", empty), empty).score == 0
