"""A grading round over every assignment in solutions/, in a temporary copy of the course.

Three students per assignment: one hands in the instructor's solution (full marks), one the
untouched exercise (0, and no crash), one the solution with its first answer replaced by the
exercise's stub. That last score is checked against a direct run of the same notebook with
nbclient, outside the grader: points of the test cells that ran without an error.
"""

from __future__ import annotations

import ast
import copy
import re
import shutil

import generate_exercises
import grading_sandbox
import nbformat
import pytest
from grading_checks import cells_as_run, nbgrader_metadata, read_master
from grading_support import COURSE_ROOT, copy_course, course_assignments, run_grader
from nbclient import NotebookClient

ASSIGNMENTS = course_assignments()
pytestmark = pytest.mark.slow


def test_pointed_at_the_course():
    """Guard against a silently empty round: the course has assignments to grade."""
    assert ASSIGNMENTS, "no assignments in solutions/"


def partial_submission(solution, exercise):
    """The solution with its first answer cell replaced by the exercise's stub."""
    stubs = {nbgrader_metadata(cell).get("grade_id"): cell.source for cell in exercise.cells}
    notebook = copy.deepcopy(solution)
    for cell in notebook.cells:
        meta = nbgrader_metadata(cell)
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = stubs[meta["grade_id"]]
            return notebook
    raise AssertionError("no answer cell to leave out")


def points_by_direct_run(notebook, folder) -> float:
    """What a notebook's tests earn when simply run top to bottom (the oracle for partial credit)."""
    executed = copy.deepcopy(notebook)
    resources = {"metadata": {"path": str(folder)}}
    NotebookClient(
        executed, timeout=300, kernel_name="python3", allow_errors=True, resources=resources
    ).execute()
    earned = 0.0
    for cell in executed.cells:
        meta = nbgrader_metadata(cell)
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            if not any(output.output_type == "error" for output in cell.outputs):
                earned += float(meta["points"])
    return earned


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade all three students of every assignment; returns (course folder, rows, expected partial)."""
    course = copy_course(tmp_path_factory.mktemp("course"))
    generate_exercises.generate(course)
    scratch = tmp_path_factory.mktemp("oracle")
    expected_partial, rows = {}, {}
    for assignment in ASSIGNMENTS:
        for master_path in sorted((course / "solutions" / assignment).glob("*.ipynb")):
            solution = nbformat.read(master_path, as_version=4)
            exercise_path = course / "exercises" / assignment / master_path.name
            exercise = nbformat.read(exercise_path, as_version=4)
            partial = partial_submission(solution, exercise)
            for student, notebook in (("solution", solution), ("untouched", exercise), ("partial", partial)):
                folder = course / "submitted" / student / assignment
                folder.mkdir(parents=True, exist_ok=True)
                nbformat.write(notebook, folder / master_path.name)
            for name in (path.name for path in master_path.parent.iterdir() if path.suffix != ".ipynb"):
                shutil.copy(master_path.parent / name, scratch / name)  # data files a notebook may read
            expected_partial[assignment, master_path.stem] = points_by_direct_run(partial, scratch)
        completed, assignment_rows = run_grader(course, assignment)
        rows.update({(assignment, *key): row for key, row in assignment_rows.items()})
        rows[assignment, "output"] = completed.stdout
    return course, rows, expected_partial


def notebooks_of(assignment):
    return [path.stem for path in sorted((COURSE_ROOT / "solutions" / assignment).glob("*.ipynb"))]


def max_points(course, assignment, notebook) -> float:
    path = course / "solutions" / assignment / f"{notebook}.ipynb"
    metadata = [nbgrader_metadata(cell) for cell in nbformat.read(path, as_version=4).cells]
    return sum(float(meta.get("points") or 0) for meta in metadata if meta.get("grade"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_earn_full_marks_without_flags(graded, assignment):
    course, rows, _ = graded
    for notebook in notebooks_of(assignment):
        row = rows[assignment, "solution", notebook]
        assert float(row["max_score"]) == max_points(course, assignment, notebook) > 0
        assert float(row["score"]) == float(row["max_score"]), row
        assert (row["status"], row["flags"]) == ("graded", ""), row


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_exercises_earn_nothing_and_do_not_stop_the_run(graded, assignment):
    _, rows, _ = graded
    for notebook in notebooks_of(assignment):
        row = rows[assignment, "untouched", notebook]
        assert (float(row["score"]), row["status"], row["flags"]) == (0.0, "graded", ""), row


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_partly_wrong_submission_gets_the_credit_its_tests_give(graded, assignment):
    _, rows, expected = graded
    for notebook in notebooks_of(assignment):
        row = rows[assignment, "partial", notebook]
        assert float(row["score"]) == expected[assignment, notebook], row
        assert float(row["score"]) < float(row["max_score"])
        assert row["status"] == "graded"


def names_bound(sources) -> set[str]:
    """Names that code binds at any level (what a later cell may miss when an answer is absent)."""
    names = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
    return names


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_fail_only_where_answers_are_missing(graded, assignment):
    """Run untouched, an exercise fails only for want of answers.

    Answer cells raise nothing but their stub's NotImplementedError; other locked cells may fail
    only by calling a missing answer (NotImplementedError) or by missing a name an answer or a
    test would have defined (NameError); test cells fail any way a missing answer makes them.
    """
    course, _, _ = graded
    for notebook in notebooks_of(assignment):
        master_path = course / "solutions" / assignment / f"{notebook}.ipynb"
        master = read_master(notebook, nbformat.read(master_path, as_version=4))
        autograded = nbformat.read(course / "autograded" / "untouched" / assignment / f"{notebook}.ipynb", 4)
        answers = {cell.grade_id for cell in master.cells if cell.solution}
        tests = {cell.grade_id for cell in master.tests}
        missing_names = names_bound(cell.source for cell in master.cells if cell.grade_id in answers | tests)
        for run_cell, cell in zip(cells_as_run(autograded, master), autograded.cells, strict=True):
            errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
            if run_cell.grade_id in tests:
                continue
            for error in errors:
                where = (run_cell.grade_id, error.ename, error.evalue)
                if run_cell.grade_id in answers:
                    assert error.ename == "NotImplementedError", where
                elif error.ename == "NameError":
                    assert re.search(r"'(\w+)'", error.evalue).group(1) in missing_names, where
                else:
                    assert error.ename == "NotImplementedError", where


def test_the_output_states_the_isolation(graded):
    _, rows, _ = graded
    output = rows[ASSIGNMENTS[0], "output"]
    if grading_sandbox.can_drop_privileges():
        assert "each kernel runs as its own throw-away user id" in output
    else:
        assert "isolation is reduced" in output
