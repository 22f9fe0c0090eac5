"""Grading a class (python -m grading): rows, bad input, and nbgrader's own commands afterwards."""

from __future__ import annotations

import csv
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import tiny_course

from grading import generate

COURSE_ROOT = Path(__file__).resolve().parents[2]


def environment() -> dict[str, str]:
    """nbgrader runs alembic by name: the interpreter's folder must be on PATH."""
    return dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))


def run(*command: str, course: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=course, env=environment(), capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def grade(course: Path, *options: str, check: bool = True):
    result = run(
        sys.executable, "-m", "grading", tiny_course.ASSIGNMENT, *options, course=course, check=check
    )
    path = course / "autograded" / f"{tiny_course.ASSIGNMENT}.csv"
    rows = {row["student"]: row for row in csv.DictReader(path.open())} if path.exists() else {}
    return result, rows


def submission(course: Path, answers: dict[str, str]):
    """The students' notebook with some answers filled in."""
    notebook = nbformat.read(course / "exercises" / tiny_course.ASSIGNMENT / "tiny.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def hand_in(course: Path, student: str, notebook) -> None:
    folder = course / "submitted" / student / tiny_course.ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / "tiny.ipynb")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A tiny course with honest, half-right, blank and test-deleting submissions, graded once."""
    course = tiny_course.make_course(tmp_path_factory.mktemp("course"), COURSE_ROOT)
    generate.generate(course)
    hand_in(course, "honest", submission(course, {"square": tiny_course.SQUARE, "mean": tiny_course.MEAN}))
    hand_in(
        course, "half", submission(course, {"square": tiny_course.SQUARE, "mean": tiny_course.WRONG_MEAN})
    )
    hand_in(course, "blank", submission(course, {}))
    deleter = submission(course, {"square": tiny_course.SQUARE, "mean": tiny_course.MEAN})
    deleter.cells = [c for c in deleter.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    hand_in(course, "deleter", deleter)
    result, rows = grade(course, "--jobs", "2")
    return course, result, rows


def test_scores_come_from_the_verdicts(graded_course):
    _, _, rows = graded_course
    scores = {student: (row["score"], row["max_score"], row["status"]) for student, row in rows.items()}
    assert scores == {
        "honest": ("5", "5", "graded"),
        "half": ("2", "5", "graded"),
        "blank": ("0", "5", "graded"),
        "deleter": ("5", "5", "graded"),  # deleted test cells are put back and run
    }
    assert "test_mean" in rows["half"]["notes"]
    assert "put back: test_square, test_mean" in rows["deleter"]["notes"]


def test_instructor_files_are_private(graded_course):
    course, _, _ = graded_course
    for path in (course / "gradebook.db", course / "autograded" / f"{tiny_course.ASSIGNMENT}.csv"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_nbgrader_export_and_feedback_show_the_grades(graded_course, tmp_path):
    course, _, _ = graded_course
    exported = tmp_path / "grades.csv"
    run("nbgrader", "export", "--to", str(exported), course=course)
    scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(exported.open())}
    assert scores == {"honest": 5.0, "half": 2.0, "blank": 0.0, "deleter": 5.0}
    run("nbgrader", "generate_feedback", tiny_course.ASSIGNMENT, course=course)
    page = (course / "feedback" / "half" / tiny_course.ASSIGNMENT / "tiny.html").read_text()
    assert "mean([1, 2, 6]): expected 3.0, got 0.0" in page  # the visible check, shown as text
    assert "stopped before it reported" in page  # the verdict
    assert "def verdict" not in page  # the verdict never reaches a student


def test_the_gradebook_holds_status_flags_and_points(graded_course):
    course, _, _ = graded_course
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook("tiny", tiny_course.ASSIGNMENT, "half")
        assert (notebook.score, notebook.max_score) == (2.0, 5.0)
        comment = gradebook.find_comment("square", "tiny", tiny_course.ASSIGNMENT, "half")
        assert "Grader status: graded" in comment.auto_comment


def test_nbgrader_autograde_itself_uses_the_sandbox_and_the_verdicts(graded_course):
    """The path of formgrader's Autograde button: plain `nbgrader autograde` with the course config."""
    course, _, _ = graded_course
    run("nbgrader", "autograde", tiny_course.ASSIGNMENT, "--force", course=course)
    autograded = nbformat.read(course / "autograded" / "blank" / tiny_course.ASSIGNMENT / "tiny.ipynb", 4)
    assert autograded.metadata["grading"]["status"] == "graded"
    assert "HiddenTestFailed" in str(autograded.cells)
    exported = course / "again.csv"
    run("nbgrader", "export", "--to", str(exported), course=course)
    assert {row["student_id"]: float(row["score"]) for row in csv.DictReader(exported.open())}[
        "honest"
    ] == 5.0


def test_unknown_assignment_and_missing_submissions_stop_with_a_clear_message(tmp_path):
    course = tiny_course.make_course(tmp_path / "course", COURSE_ROOT)
    result = run(sys.executable, "-m", "grading", "a9_nothing", course=course, check=False)
    assert result.returncode == 2 and "unknown assignment 'a9_nothing'" in result.stderr
    assert "t1_tiny" in result.stderr
    _, rows = grade(course, check=False)
    result = run(sys.executable, "-m", "grading", tiny_course.ASSIGNMENT, course=course, check=False)
    assert result.returncode == 2 and "no folder of submissions" in result.stderr and rows == {}


def test_a_locked_gradebook_stops_grading_before_anything_changes(graded_course):
    course, _, rows_before = graded_course
    csv_path = course / "autograded" / f"{tiny_course.ASSIGNMENT}.csv"
    before = csv_path.read_bytes()
    holder = sqlite3.connect(course / "gradebook.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result, _ = grade(course, check=False)
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 2 and "locked by another program" in result.stderr
    assert csv_path.read_bytes() == before


def test_unsafe_mode_marks_every_row_and_links_are_not_followed(tmp_path):
    course = tiny_course.make_course(tmp_path / "course", COURSE_ROOT)
    generate.generate(course)
    hand_in(course, "honest", submission(course, {"square": tiny_course.SQUARE, "mean": tiny_course.MEAN}))
    (course / "submitted" / "absent").mkdir()
    (course / "submitted" / "linker").mkdir()
    (course / "submitted" / "linker" / tiny_course.ASSIGNMENT).symlink_to(
        course / "solutions" / tiny_course.ASSIGNMENT
    )
    _, rows = grade(course, "--unsafe-no-sandbox")
    assert rows["honest"]["score"] == "5"
    assert (rows["absent"]["status"], rows["absent"]["max_score"]) == ("not submitted", "5")
    assert (rows["linker"]["score"], rows["linker"]["status"]) == ("0", "unreadable")
    assert all("UNSAFE" in row["flags"] for row in rows.values()), rows


def test_a_course_inside_the_sandboxed_python_is_refused():
    from grading import sandbox

    with pytest.raises(sandbox.SandboxUnavailable, match="lies inside"):
        sandbox.check_available(Path(sys.prefix) / "course")
