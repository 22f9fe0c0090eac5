"""exercises/ is exactly what nbgrader makes of solutions/; `nbgrader validate` tells students the truth."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
import tiny_course
from traitlets.config import Config

from grading import generate as generate_exercises
from grading.flags import read_master

COURSE_ROOT = Path(__file__).resolve().parents[2]


def test_committed_exercises_match_a_fresh_generation():
    """Regenerating every assignment into a temporary folder gives the committed exercises/, byte for byte."""
    problems = generate_exercises.check(COURSE_ROOT)
    advice = "exercises/ is stale; run: python -m grading.generate\n"
    assert problems == [], advice + "\n".join(problems)


def test_the_drift_check_notices_edited_missing_and_stray_files(tmp_path):
    course = tiny_course.make_course(tmp_path / "course", COURSE_ROOT)
    generate_exercises.generate(course)
    exercise = course / "exercises" / tiny_course.ASSIGNMENT / f"{tiny_course.NOTEBOOK}.ipynb"
    assert exercise.is_file()
    assert generate_exercises.check(course) == []

    pristine = exercise.read_bytes()
    name = f"{tiny_course.ASSIGNMENT}/{tiny_course.NOTEBOOK}.ipynb"
    exercise.write_bytes(pristine.replace(b"raise NotImplementedError()", b"return x * x"))
    assert generate_exercises.check(course) == [f"differs: {name}"]

    exercise.unlink()
    (course / "exercises" / "stray.txt").write_text("not generated")
    assert generate_exercises.check(course) == [f"missing: {name}", "unexpected: stray.txt"]


def test_generation_hides_answers_and_hidden_tests(tmp_path):
    course = tiny_course.make_course(tmp_path / "course", COURSE_ROOT)
    generate_exercises.generate(course)
    text = (course / "exercises" / tiny_course.ASSIGNMENT / f"{tiny_course.NOTEBOOK}.ipynb").read_text()
    assert "raise NotImplementedError()" in text
    for secret in ("return x * x", "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "square is wrong"):
        assert secret not in text
    shutil.rmtree(course / "exercises")
    assert generate_exercises.main(["--check", "--course", str(course)]) == 1


def _validate(path):
    from nbgrader.validator import Validator

    config = Config()
    config.Execute.timeout = 120
    return Validator(config=config).validate(str(path))


EXERCISES = sorted((COURSE_ROOT / "exercises").glob("*/*.ipynb"))
SOLUTIONS = sorted((COURSE_ROOT / "solutions").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", EXERCISES, ids=lambda path: path.parent.name)
def test_validate_reports_every_test_of_an_untouched_exercise_as_failing(path):
    master_path = COURSE_ROOT / "solutions" / path.parent.name / path.name
    if not master_path.exists():
        pytest.skip("exercise without a solution: the drift test reports it")
    master = read_master(path.stem, nbformat.read(master_path, as_version=4))
    results = _validate(path)
    assert set(results) == {"failed"}, results.keys()
    assert len(results["failed"]) == len(master.tests)
    for failure in results["failed"]:
        assert "NotImplementedError" in failure["raw_error"] or "NameError" in failure["raw_error"], failure


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.parent.name)
def test_validate_passes_the_solutions(path):
    assert _validate(path) == {}
