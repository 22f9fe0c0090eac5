"""A student's self-check (``python -m grading.check``): it runs an exercise as grading does and
names what to fix, from the student install alone.

The honest student is made from the exercise itself: each answer cell gets the instructor's
answer, without the solution markers, as a student would type it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import compute_checksum
from traitlets.config.loader import PyFileConfigLoader

from grading import check

COURSE = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_neurons"
EXERCISE = next((COURSE / "exercises" / ASSIGNMENT).glob("*.ipynb"))
SOLUTION = COURSE / "solutions" / ASSIGNMENT / EXERCISE.name


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def answers() -> dict[str, str]:
    """The instructor's answer cells by grade_id, with the BEGIN/END SOLUTION lines dropped."""
    solution = nbformat.read(SOLUTION, as_version=4)
    return {
        grade_id(cell): "\n".join(line for line in cell.source.splitlines() if "### " not in line)
        for cell in solution.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def student_copy(folder: Path, **replaced: str) -> Path:
    """The exercise answered honestly, except for the cells in ``replaced`` (grade_id=source)."""
    notebook = nbformat.read(EXERCISE, as_version=4)
    honest = answers()
    for cell in notebook.cells:
        if grade_id(cell) in honest:
            cell.source = replaced.get(grade_id(cell), honest[grade_id(cell)])
    path = folder / EXERCISE.name
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_an_honest_solution_passes_without_nbgrader_installed_or_on_the_path(tmp_path):
    """The student install has no nbgrader: the check must neither import it nor run a stray one."""
    notebook = student_copy(tmp_path)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    marker = tmp_path / "nbgrader-was-run"
    (fake_bin / "nbgrader").write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    (fake_bin / "nbgrader").chmod(0o755)
    no_nbgrader = (
        "import sys; sys.modules['nbgrader'] = None; from grading.check import main; sys.exit(main())"
    )
    env = dict(os.environ, PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(
        [sys.executable, "-c", no_nbgrader, str(notebook)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Visible tests: 7 of 7 passed (10 of 10 points)" in result.stdout
    assert "FAILED" not in result.stdout
    assert not marker.exists()


@pytest.mark.slow
def test_a_wrong_answer_names_its_part_and_what_was_expected(tmp_path):
    wrong_and = "def and_gate_parameters():\n    return np.array([1.0, 1.0]), 0.0\n"
    report = check.check_notebook(student_copy(tmp_path, and_gate=wrong_and))
    assert not report.passed
    failed = [f for f in report.findings if f.kind == "failed"]
    assert [(f.part, f.cell) for f in failed] == [("1.5 One neuron computes AND (1 point)", "test_and_gate")]
    assert "must be below 0.1" in failed[0].message
    assert "0.5" in failed[0].message  # what came back: sigmoid(0) for (0, 0)
    text = report.format()
    assert "FAILED  1.5 One neuron computes AND (1 point): test `test_and_gate`" in text
    assert "Visible tests: 6 of 7 passed (9 of 10 points)" in text


@pytest.mark.slow
def test_a_syntax_error_is_reported_in_its_own_cell(tmp_path):
    broken = "def sigmoid(z)\n    return 1 / (1 + np.exp(-z))\n"
    report = check.check_notebook(student_copy(tmp_path, sigmoid=broken))
    errors = [f for f in report.findings if f.kind == "error"]
    assert [(f.part, f.cell) for f in errors] == [("1.1 The sigmoid (2 points)", "sigmoid")]
    assert "SyntaxError" in errors[0].message and "def sigmoid(z)" in errors[0].message
    assert "test_sigmoid" in [f.cell for f in report.findings if f.kind == "failed"]
    assert not report.passed
    assert check.main([str(tmp_path / EXERCISE.name)]) == 1


def test_an_edited_locked_test_cell_is_reported_as_changed(tmp_path):
    notebook = nbformat.read(EXERCISE, as_version=4)
    test_cell = next(cell for cell in notebook.cells if grade_id(cell) == "test_relu")
    test_cell.source = "pass"
    findings = check.findings_of(notebook, [{"outputs": []} for _ in notebook.cells], [])
    changed = [(f.part, f.cell) for f in findings if f.kind == "changed"]
    assert changed == [("1.2 ReLU and leaky ReLU (2 points)", "test_relu")]


@pytest.mark.parametrize(
    "path", sorted((COURSE / "exercises").glob("*/*.ipynb")), ids=lambda p: p.parent.name
)
def test_the_checksum_agrees_with_nbgraders(path):
    notebook = nbformat.read(path, as_version=4)
    locked = [cell for cell in notebook.cells if "checksum" in cell.metadata.get("nbgrader", {})]
    assert locked
    for cell in locked:
        assert check.nbgrader_checksum(cell) == compute_checksum(cell) == cell.metadata.nbgrader.checksum


def test_the_time_limit_is_the_graders():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    assert check.CELL_TIMEOUT == config.SandboxedExecute.timeout


def test_a_missing_path_lists_the_exercises(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(COURSE)
    assert check.main(["exercises/a1_neurons/a1_neurons.ipynb"]) == 2
    message = capsys.readouterr().err
    assert "there is no file exercises/a1_neurons/a1_neurons.ipynb" in message
    assert str(EXERCISE.relative_to(COURSE)) in message


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda folder: folder, "is a folder"),
        (lambda folder: folder / "notes.txt", "is not a notebook"),
        (lambda folder: folder / "broken.ipynb", "could not be read as a notebook"),
        (
            lambda folder: COURSE / "lectures" / "02-neurons-and-activations.ipynb",
            "not one of the course's exercises",
        ),
    ],
    ids=["folder", "text file", "damaged notebook", "lecture"],
)
def test_what_is_not_an_exercise_gets_a_clear_message(tmp_path, make, expected):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(check.CheckError, match=expected):
        check.read_exercise(make(tmp_path))


def test_an_exercise_stripped_of_its_metadata_is_told_it_would_score_zero(tmp_path):
    notebook = nbformat.read(EXERCISE, as_version=4)
    for cell in notebook.cells:
        cell.metadata = {}
    nbformat.write(notebook, tmp_path / "copy.ipynb")
    with pytest.raises(check.CheckError, match="lost the cell metadata grading relies on.*0 points"):
        check.read_exercise(tmp_path / "copy.ipynb")


def requirement_names(path: Path) -> set[str]:
    """Package names a requirements file asks for, following its ``-r`` includes."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names |= requirement_names(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            names.add(line.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].strip())
    return names


def test_the_student_install_leaves_out_the_instructors_tools():
    student = requirement_names(COURSE / "requirements.txt")
    assert "nbgrader" not in student
    assert {"nbclient", "jupyterlab"} <= student
    assert "nbgrader" in requirement_names(COURSE / "requirements-instructor.txt")
    assert requirement_names(COURSE / "requirements-instructor.txt") <= requirement_names(
        COURSE / "requirements-dev.txt"
    )
