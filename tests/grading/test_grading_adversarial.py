"""The adversarial corpus (corpus.py) graded in one run: no unflagged unearned point, no damage.

Among the submissions is one written to attack the grader: it writes to the instructor's
gradebook, the CSV, another student's submission, the course's solutions and its own sandbox,
tries to kill the grader, and leaves a detached process that keeps doing so. The course copy must
come out byte-for-byte unchanged, and the student graded after it must get her honest score.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import corpus
import generate_exercises
import grading_sandbox
import nbformat
import pytest
import tiny_course
from grading_support import COURSE_ROOT, run_grader
from polling import wait_until

pytestmark = pytest.mark.slow

CASE_NAMES = [case.name for case in corpus.cases(tiny_course.master_notebook(), {})]
FORGED = "mallory,t1_tiny,tiny,999"  # what the attack writes; also marks its processes
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 10, 40
needs_root = pytest.mark.skipif(
    not grading_sandbox.can_drop_privileges(),
    reason="kernels get their own user id only as root, with setpriv",
)


def digest(folder: Path, skip=("autograded",)) -> dict[str, str]:
    """A fingerprint of every file under ``folder`` (outside ``skip``), by relative path."""
    prints = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] not in skip:
            prints[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def processes_with(marker: str) -> list[int]:
    """Processes whose command line contains ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if marker.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def end_processes(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def all_forged(paths) -> bool:
    return all(FORGED in path.read_text() for path in paths)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    course = tiny_course.make_course(tmp_path_factory.mktemp("course"), COURSE_ROOT)
    generate_exercises.generate(course)  # also makes the instructor's gradebook, an attack target
    exercise = nbformat.read(course / "exercises" / tiny_course.ASSIGNMENT / "tiny.ipynb", as_version=4)
    csv_path = course / "autograded" / f"{tiny_course.ASSIGNMENT}.csv"
    victim = course / "submitted" / "zoe" / tiny_course.ASSIGNMENT / "tiny.ipynb"
    targets = {
        "gradebook": course / "gradebook.db",
        "csv": csv_path,
        "another student's submission": victim,
        "solutions": course / "solutions" / tiny_course.ASSIGNMENT / "tiny.ipynb",
        "config": course / "nbgrader_config.py",
    }
    cases = {case.name: case for case in corpus.cases(exercise, {k: str(v) for k, v in targets.items()})}
    for case in cases.values():
        folder = course / "submitted" / case.name / tiny_course.ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(case.notebook, folder / "tiny.ipynb")
        for name, text in case.extra_files.items():
            (folder / name).write_text(text)
    victim.parent.mkdir(parents=True)
    nbformat.write(cases["honest"].notebook, victim)  # graded after the attack (names sort so)

    before = digest(course)
    try:
        completed, rows = run_grader(
            course,
            tiny_course.ASSIGNMENT,
            "--timeout", str(CELL_TIMEOUT), "--notebook-timeout", str(NOTEBOOK_TIMEOUT),
        )  # fmt: skip
        csv_right_after = csv_path.read_bytes()
        time.sleep(3)  # time for a surviving background process to strike
        yield {
            "cases": cases,
            "rows": rows,
            "output": completed.stdout,
            "unchanged": digest(course) == before,
            "changed": sorted(set(digest(course).items()) ^ set(before.items())),
            "csv_stable": csv_path.read_bytes() == csv_right_after,
            "csv": csv_path.read_text(),
            "survivors": processes_with(FORGED),
        }
    finally:
        end_processes(processes_with(FORGED))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_case_is_scored_correctly_or_reported(corpus_run, name):
    case = corpus_run["cases"][name]
    row = corpus_run["rows"][name, "tiny"]
    score = float(row["score"])
    flags = {flag.split("(")[0] for flag in row["flags"].split("; ") if flag}
    assert float(row["max_score"]) == tiny_course.MAX_SCORE
    assert score <= case.earned or row["status"] != "graded" or flags, row  # never unearned and silent
    if case.score is not None:
        assert score == case.score, row
    assert row["status"] == case.status, row
    assert case.flags <= flags, row
    if case.note:
        assert case.note in row["notes"], row


def test_no_unflagged_unearned_point_anywhere(corpus_run):
    unearned = [
        name
        for name, case in corpus_run["cases"].items()
        if float(corpus_run["rows"][name, "tiny"]["score"]) > case.earned
    ]
    for name in unearned:
        row = corpus_run["rows"][name, "tiny"]
        assert row["flags"] or row["status"] != "graded", row
    assert "numpy-and-builtins-patched" in unearned, "the corpus should contain a trick that fools the tests"


@needs_root
def test_the_grader_attack_changes_nothing(corpus_run):
    assert corpus_run["unchanged"], corpus_run["changed"]
    assert corpus_run["csv_stable"]
    assert "999" not in corpus_run["csv"]
    assert corpus_run["survivors"] == [], "the attack's background process outlived its run"
    victim = corpus_run["rows"]["zoe", "tiny"]
    assert (float(victim["score"]), victim["status"]) == (tiny_course.MAX_SCORE, "graded")
    attacker = corpus_run["rows"]["grader-attack", "tiny"]
    assert (float(attacker["score"]), attacker["status"]) == (tiny_course.MAX_SCORE, "graded")
    assert "each kernel runs as its own throw-away user id" in corpus_run["output"]


def test_the_attack_does_damage_where_nothing_stops_it(tmp_path):
    """The same attack run without the grader's sandbox really writes its targets."""
    targets = {name: tmp_path / name for name in ("gradebook.db", "grades.csv")}
    for path in targets.values():
        path.write_text("original")
    kernel_folder = tmp_path / "a" / "b" / "c"  # its relative targets stay inside tmp_path
    kernel_folder.mkdir(parents=True)
    attack = corpus.attack_source({name: str(path) for name, path in targets.items()}, seconds=30)
    (kernel_folder / "attack.py").write_text(attack)
    # The attack kills its parent: give it a disposable one.
    launcher = (
        f"import subprocess, sys; subprocess.run([sys.executable, 'attack.py'], cwd={str(kernel_folder)!r})"
    )
    try:
        subprocess.run([sys.executable, "-c", launcher], timeout=60)
        # The attack empties each file (open "w") before writing it: poll rather than read once.
        assert wait_until(lambda: all_forged(targets.values()), timeout=10, what="the first forged writes")
        for path in targets.values():
            path.write_text("original")
        assert wait_until(lambda: all_forged(targets.values()), timeout=20, what="writes from the background")
    finally:
        end_processes(processes_with(FORGED))


def test_reduced_isolation_is_announced_and_still_ends_leftover_processes(tmp_path, monkeypatch, capsys):
    import grade

    monkeypatch.setattr(grading_sandbox, "can_drop_privileges", lambda: False)
    course = tiny_course.make_course(tmp_path / "course", COURSE_ROOT)
    generate_exercises.generate(course)
    exercise = nbformat.read(course / "exercises" / tiny_course.ASSIGNMENT / "tiny.ipynb", as_version=4)
    marker = "nnlib-reduced-isolation-sleeper"
    sleeper = (
        "import subprocess, sys\n"
        f"code = 'import time; time.sleep(120)  # {marker}'\n"
        "subprocess.Popen([sys.executable, '-c', code], start_new_session=True)"
    )
    notebook = corpus.with_cell(
        corpus.answered(exercise, corpus.RIGHT_SQUARE, corpus.RIGHT_MEAN), sleeper, "test_mean"
    )
    folder = course / "submitted" / "amy" / tiny_course.ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / "tiny.ipynb")
    try:
        results = grade.grade_assignment(
            course, tiny_course.ASSIGNMENT, course / "submitted", timeout=CELL_TIMEOUT
        )
        assert "isolation is reduced" in capsys.readouterr().out
        assert [(r.student, r.score, r.status) for r in results] == [("amy", tiny_course.MAX_SCORE, "graded")]
        assert processes_with(marker) == []
    finally:
        end_processes(processes_with(marker))
