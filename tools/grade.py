"""Grade a folder of submissions with nbgrader, safely, and write one CSV row per notebook.

Usage (from the course root)::

    python tools/grade.py ASSIGNMENT [--submitted DIR] [--csv FILE] [--timeout SECONDS] [--jobs N]

Submissions are read from ``submitted/<student>/<ASSIGNMENT>/<notebook>.ipynb``. The CSV
(default ``autograded/<ASSIGNMENT>.csv``) has the columns::

    student, assignment, notebook, score, max_score, status, flags, notes

``status`` is one of "graded", "needs manual grading", "test cells missing", "timed out",
"kernel died", "not submitted", "unreadable" or "grader error": anything but "graded" asks a
person to look, since nbgrader alone reports a crash, a timeout or deleted tests as a plain 0.
``flags`` lists constructs in the student's own cells that could make a failing test pass (see
``grading_checks.py``): a flagged score may be unearned and should be checked by hand.

How a submission is kept from touching anything but its own result:

1. Each notebook is graded in its own throw-away folder holding only a copy of the course's
   ``nbgrader_config.py``, a gradebook made from ``solutions/<ASSIGNMENT>``, and that notebook
   (other files handed in are ignored, so a ``numpy.py`` beside the notebook is never imported).
2. nbgrader runs in this process; only the kernel runs student code. As root, the kernel gets a
   throw-away user id that can write nothing but its scratch folder (``grading_sandbox.py``).
3. After the run every process of that id is killed, including detached background processes.
4. Only then is the score computed, here, from the autograded notebook nbgrader wrote (which the
   kernel could not write) and the instructor's own notebook (points, test cells); the CSV and
   copies of the autograded notebooks in ``autograded/`` are written by this process alone.

Without root the kernel runs with the grader's own rights: the output says so ("isolation is
reduced"). Grade untrusted work as root, for example in a container.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grading_sandbox  # noqa: E402
from grading_checks import (  # noqa: E402
    MasterNotebook,
    cell_source,
    drop_duplicate_ids,
    integrity_flags,
    nbgrader_metadata,
    read_master,
)

COURSE_ROOT = Path(__file__).resolve().parent.parent
CSV_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "status", "flags", "notes"]
# From most to least severe: a notebook's status is the most severe that applies.
STATUSES = [
    "grader error",
    "unreadable",
    "not submitted",
    "kernel died",
    "timed out",
    "test cells missing",
    "needs manual grading",
    "graded",
]
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
MAX_NOTEBOOK_BYTES = 20 * 2**20


@dataclass
class NotebookResult:
    """The grade of one student's notebook: one CSV row."""

    student: str
    assignment: str
    notebook: str
    score: float
    max_score: float
    status: str
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self) -> dict[str, str]:
        return {
            "student": self.student,
            "assignment": self.assignment,
            "notebook": self.notebook,
            "score": f"{self.score:g}",
            "max_score": f"{self.max_score:g}",
            "status": self.status,
            "flags": "; ".join(self.flags),
            "notes": "; ".join(self.notes),
        }


@dataclass
class GradingRun:
    """Everything a worker needs to grade one notebook; shared by all notebooks of a run."""

    course_root: str
    assignment: str
    run_dir: str
    template: str  # folder whose gradebook.db holds the assignment's cells and hidden tests
    timeout: int  # seconds per cell
    notebook_timeout: int | None  # seconds per notebook; None: derived from the cell count
    isolated: bool  # kernels get their own user id
    read_search: bool
    released: dict = field(default_factory=dict)  # notebook -> the students' version, from nbgrader


# --- the course's own files ---------------------------------------------------------------------


def load_config(folder: Path):
    """The traitlets Config of ``folder/nbgrader_config.py`` (paths computed from that folder)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


def read_masters(course_root: Path, assignment: str) -> dict[str, MasterNotebook]:
    """The instructor's notebooks of ``assignment``, by notebook name."""
    folder = course_root / "solutions" / assignment
    masters = {}
    for path in sorted(folder.glob("*.ipynb")):
        masters[path.stem] = read_master(path.stem, nbformat.read(path, as_version=4))
    if not masters:
        raise SystemExit(f"no notebooks in {folder}: is {assignment!r} an assignment in solutions/?")
    return masters


def list_submissions(submitted: Path, assignment: str) -> tuple[list[tuple[str, Path]], list[str]]:
    """``(student, folder)`` for each ``submitted/<student>/<assignment>``; and what was skipped."""
    found, skipped = [], []
    if not submitted.is_dir():
        raise SystemExit(f"no folder of submissions at {submitted}")
    for student_dir in sorted(submitted.iterdir()):
        if student_dir.name.startswith("."):
            continue
        if not STUDENT_ID.match(student_dir.name) or student_dir.is_symlink():
            skipped.append(f"{student_dir.name!r}: not a valid student id (letters, digits, _.@+-)")
            continue
        folder = student_dir / assignment
        if folder.is_dir() and not folder.is_symlink():
            found.append((student_dir.name, folder))
    return found, skipped


def read_submission(path: Path):
    """The handed-in notebook, or a reason it cannot be graded."""
    if not path.exists() and not path.is_symlink():
        return None, "not submitted"
    if path.is_symlink() or not path.is_file():
        return None, "unreadable: not a regular file"
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, f"unreadable: larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # any parse or schema problem means nbgrader cannot run it either
        return None, f"unreadable: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return notebook, None


# --- one run of nbgrader ------------------------------------------------------------------------


def _quiet_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    buffer = io.StringIO()
    logger = logging.getLogger(f"nnlib-grader.{name}")
    logger.handlers[:] = [logging.StreamHandler(buffer)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, buffer


def make_template(course_root: Path, assignment: str, run_dir: Path) -> Path:
    """Generate the assignment once into a private folder, for the gradebook it leaves behind."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    template = run_dir / "template"
    template.mkdir(mode=0o700)
    shutil.copy2(course_root / "nbgrader_config.py", template / "nbgrader_config.py")
    shutil.copytree(course_root / "solutions" / assignment, template / "solutions" / assignment)
    config = load_config(template)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.log, log = _quiet_logger("generate")
    try:
        converter.start()
    except Exception as error:
        raise SystemExit(f"nbgrader could not generate {assignment}: {error}\n{log.getvalue()}") from error
    return template


def _make_sandbox(run: GradingRun, student: str, notebook_name: str, notebook, uid):
    """A throw-away course folder holding only what grading this one notebook needs."""
    root = Path(tempfile.mkdtemp(prefix="s", dir=Path(run.run_dir) / "sandboxes"))
    root.chmod(0o711)  # the kernel may pass through to its notebook's folder, not list anything
    template = Path(run.template)
    for name in ("nbgrader_config.py", "gradebook.db"):
        shutil.copy(template / name, root / name)
        (root / name).chmod(0o600)
    source = root / "solutions"
    shutil.copytree(template / "solutions", source)
    source.chmod(0o700)
    submitted = root / "submitted"
    (submitted / student / run.assignment).mkdir(parents=True)
    submitted.chmod(0o700)
    nbformat.write(notebook, submitted / student / run.assignment / f"{notebook_name}.ipynb")
    scratch = grading_sandbox.make_scratch(root / "scratch", uid)
    sandbox = grading_sandbox.Sandbox(
        scratch=str(scratch), uid=uid, read_search=run.read_search, token=os.urandom(8).hex()
    )
    sandbox.save(root / "sandbox.json")
    return root, sandbox


@dataclass
class RunOutcome:
    succeeded: bool
    log: str
    watchdog_fired: bool
    all_processes_ended: bool


def run_autograde(run: GradingRun, root: Path, sandbox, student: str, notebook: str, deadline: float):
    """Run nbgrader's autograde step in ``root``; the kernel is killed at ``deadline`` seconds."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root)
    config.ExecutePreprocessor.timeout = run.timeout
    config.ExecutePreprocessor.kernel_name = grading_sandbox.KERNEL_NAME
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = run.assignment
    coursedir.student_id = student
    coursedir.notebook_id = notebook
    converter = Autograde(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_student = True
    converter.log, log = _quiet_logger("autograde")

    fired = threading.Event()

    def stop_the_kernel():
        fired.set()
        grading_sandbox.end_all_processes(sandbox)

    watchdog = threading.Timer(deadline, stop_the_kernel)
    os.environ[grading_sandbox.SANDBOX_ENV] = str(root / "sandbox.json")
    watchdog.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sqlalchemy's notes on nbgrader's sessions
            converter.start()
        succeeded = True
    except Exception as error:
        converter.log.error("%s: %s", type(error).__name__, error)
        succeeded = False
    finally:
        watchdog.cancel()
        del os.environ[grading_sandbox.SANDBOX_ENV]
    # Nothing the submission started may outlive its run; only then is its output read.
    ended = grading_sandbox.end_all_processes(sandbox)
    if sandbox.uid is not None:
        grading_sandbox.remove_files_of(sandbox.uid)
    return RunOutcome(succeeded, log.getvalue(), fired.is_set(), ended)


# --- the score, from trusted files only ---------------------------------------------------------


@dataclass
class Scored:
    score: float
    missing: list[str]
    timed_out: list[str]
    anomalies: list[str]


def score_notebook(master: MasterNotebook, autograded) -> Scored:
    """Points earned in an autograded notebook: a test cell earns its points if it ran without error.

    Points, test ids and test sources come from the instructor's notebook, never from the
    submission: a test cell that is absent, altered or never ran earns nothing.
    """
    cells_by_id = defaultdict(list)
    timed_out = []
    for index, cell in enumerate(autograded["cells"]):
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if grade_id is not None:
            cells_by_id[grade_id].append(cell)
        if any(output.get("ename") == "CellTimeoutError" for output in cell.get("outputs", [])):
            timed_out.append(grade_id or f"cell {index}")
    score, missing, anomalies = 0.0, [], []
    for test in master.tests:
        found = cells_by_id.get(test.grade_id, [])
        if not found:
            missing.append(test.grade_id)
            continue
        cell = found[-1]
        if len(found) > 1:
            anomalies.append(f"{test.grade_id} appears {len(found)} times")
        if cell["cell_type"] != "code" or cell_source(cell) != test.source:
            anomalies.append(f"{test.grade_id} differs from the instructor's test")
            continue
        if cell.get("execution_count") is None:
            anomalies.append(f"{test.grade_id} did not run")
            continue
        errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
        if not errors:
            score += test.points
    return Scored(score, missing, timed_out, anomalies)


def tampering_notes(submitted, released) -> list[str]:
    """What the student changed in cells nbgrader restores (edits are undone, so no flag)."""
    locked = {}
    for cell in released["cells"]:
        meta = nbgrader_metadata(cell)
        if meta.get("locked") and "grade_id" in meta:
            locked[meta["grade_id"]] = (cell_source(cell), meta.get("points"))
    edited, repointed, seen = set(), set(), set()
    for cell in submitted["cells"]:
        meta = nbgrader_metadata(cell)
        grade_id = meta.get("grade_id")
        if grade_id not in locked:
            continue
        seen.add(grade_id)
        source, points = locked[grade_id]
        if cell_source(cell) != source:
            edited.add(grade_id)
        if meta.get("points") != points:
            repointed.add(grade_id)
    notes = []
    if edited:
        notes.append(f"locked cells edited by the student were restored: {', '.join(sorted(edited))}")
    if repointed:
        notes.append(f"points changed in the metadata were reset: {', '.join(sorted(repointed))}")
    absent = sorted(set(locked) - seen)
    if absent:
        notes.append(f"locked cells absent from the submission: {', '.join(absent)}")
    return notes


def _log_notes(log: str) -> list[str]:
    """What nbgrader itself reported about the submission's cells."""
    notes = []
    if "does not exist in the database" in log:
        notes.append("cells with unknown ids were run as plain student cells")
    return notes


def _first_error(log: str) -> str:
    """The last exception named in nbgrader's log, other than nbgrader's own summary."""
    for line in reversed(log.splitlines()):
        line = line.strip()
        if re.match(r"^[\w.]+(Error|Exception)\b", line) and not line.startswith("NbGraderException"):
            return line[:200]
    return "see nbgrader's log"


def grade_notebook(run: GradingRun, student: str, folder: Path, master: MasterNotebook) -> NotebookResult:
    """Grade one student's copy of one notebook in its own sandbox."""
    result = NotebookResult(student, run.assignment, master.name, 0.0, master.max_score, "graded")
    path = folder / f"{master.name}.ipynb"
    submitted, problem = read_submission(path)
    if problem is not None:
        result.status = "not submitted" if problem == "not submitted" else "unreadable"
        result.notes.append(problem)
        return result
    result.flags = [str(flag) for flag in integrity_flags(submitted, master)]
    result.notes += tampering_notes(submitted, run.released[master.name])
    duplicated = drop_duplicate_ids(submitted)
    if duplicated:
        result.notes.append(
            f"cells copied with their ids: only the last copy kept them ({', '.join(duplicated)})"
        )
    extra = sorted(
        item.name for item in folder.iterdir() if not item.name.startswith(".") and item.suffix != ".ipynb"
    )
    if extra:
        result.notes.append(f"ignored files handed in beside the notebooks: {', '.join(extra[:10])}")

    with contextlib.ExitStack() as cleanup:  # undone in reverse: the folder goes before the id is freed
        try:
            uid = cleanup.enter_context(grading_sandbox.UidLease()) if run.isolated else None
            root, sandbox = _make_sandbox(run, student, master.name, submitted, uid)
            cleanup.callback(shutil.rmtree, root, ignore_errors=True)
            cleanup.callback(grading_sandbox.end_all_processes, sandbox)  # even if grading failed
            _grade_in_sandbox(result, run, root, sandbox, student, master, submitted)
        except Exception as error:  # one broken submission must not stop the class's grading
            result.score, result.status = 0.0, "grader error"
            result.notes.append(f"{type(error).__name__}: {str(error)[:200]}")
    return result


def _grade_in_sandbox(result, run: GradingRun, root: Path, sandbox, student, master, submitted) -> None:
    """Run the notebook in its sandbox, then settle the result from what nbgrader wrote."""
    code_cells = sum(cell["cell_type"] == "code" for cell in submitted["cells"])
    deadline = run.notebook_timeout or run.timeout * (code_cells + 2) + 30
    outcome = run_autograde(run, root, sandbox, student, master.name, deadline)
    autograded_path = root / "autograded" / student / run.assignment / f"{master.name}.ipynb"
    autograded = nbformat.read(autograded_path, as_version=4) if autograded_path.is_file() else None
    _settle(result, master, outcome, autograded)
    if autograded is not None:
        destination = Path(run.course_root) / "autograded" / student / run.assignment
        destination.mkdir(parents=True, exist_ok=True)
        nbformat.write(autograded, destination / f"{master.name}.ipynb")


def _settle(result: NotebookResult, master: MasterNotebook, outcome: RunOutcome, autograded) -> None:
    """Fill in score, status and notes from the run's outcome and the autograded notebook."""
    statuses = set()
    result.notes += _log_notes(outcome.log)
    if not outcome.all_processes_ended:
        statuses.add("grader error")
        result.notes.append("processes of the submission could not be ended")
    if outcome.watchdog_fired:
        statuses.add("timed out")
        result.notes.append("the notebook ran past its time limit and its kernel was stopped")
    elif "UnresponsiveKernelError" in outcome.log or "CellTimeoutError" in outcome.log:
        statuses.add("timed out")
        result.notes.append("the kernel stopped answering (an endless loop that ignores interrupts?)")
    elif "DeadKernelError" in outcome.log or "Kernel died" in outcome.log:
        statuses.add("kernel died")
        result.notes.append("the kernel died (e.g. os._exit or a crash): nothing was graded")
    elif not outcome.succeeded:
        statuses.add("grader error")
        result.notes.append(f"nbgrader failed: {_first_error(outcome.log)}")
    if autograded is not None:
        scored = score_notebook(master, autograded)
        result.score = scored.score
        if scored.timed_out:
            statuses.add("timed out")
            result.notes.append(f"cells stopped by the per-cell time limit in {', '.join(scored.timed_out)}")
        if scored.missing:
            statuses.add("test cells missing")
            result.notes.append(f"test cells missing (0 points): {', '.join(scored.missing)}")
        if scored.anomalies:
            statuses.add("grader error")
            result.notes += scored.anomalies
    if any(cell.is_manually_graded for cell in master.cells):
        statuses.add("needs manual grading")
        result.notes.append("some answers are graded by hand; score counts autograded tests only")
    statuses.add("graded")
    result.status = min(statuses, key=STATUSES.index)


# --- the whole class ----------------------------------------------------------------------------


def isolation_notice(run: GradingRun) -> str:
    if not run.isolated:
        return (
            "WARNING: isolation is reduced: not running as root (or setpriv is missing), so student "
            "code runs with your own rights and could change any file you can change (gradebook, "
            "other submissions, course files). Grade untrusted submissions as root, e.g. in a container."
        )
    notice = (
        "isolation: each kernel runs as its own throw-away user id, writes only its scratch "
        "folder, and every process it leaves behind is killed after its run."
    )
    if run.read_search:
        notice += (
            " Python lives in a folder that id cannot enter, so kernels may read (never write) "
            "other files; notebooks are therefore graded one at a time."
        )
    return notice


def _grade_in_worker(args) -> NotebookResult:
    run, student, folder, master = args
    return grade_notebook(run, student, Path(folder), master)


def grade_assignment(
    course_root: Path,
    assignment: str,
    submitted: Path,
    timeout: int | None = None,
    notebook_timeout: int | None = None,
    jobs: int = 1,
    echo=print,
) -> list[NotebookResult]:
    """Grade every submission of ``assignment``; one result per (student, notebook)."""
    masters = read_masters(course_root, assignment)
    students, skipped = list_submissions(submitted, assignment)
    for reason in skipped:
        echo(f"skipped {reason}")
    config = load_config(course_root)
    per_cell = int(timeout or config.ExecutePreprocessor.get("timeout", 60))

    run_dir = Path(tempfile.mkdtemp(prefix="nnlib-grade-"))
    run_dir.chmod(0o711)
    saved_environment = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")}
    try:
        (run_dir / "sandboxes").mkdir(mode=0o711)
        jupyter_path = run_dir / "jupyter"
        grading_sandbox.write_kernelspec(jupyter_path)
        os.environ["JUPYTER_PATH"] = str(jupyter_path)
        os.environ["JUPYTER_RUNTIME_DIR"] = str(run_dir / "runtime")
        isolated = grading_sandbox.can_drop_privileges()
        read_search = False
        if isolated:
            with grading_sandbox.UidLease() as probe_uid:
                read_search = grading_sandbox.interpreter_needs_read_search(probe_uid)
        template = make_template(course_root, assignment, run_dir)
        released = {
            name: nbformat.read(template / "exercises" / assignment / f"{name}.ipynb", as_version=4)
            for name in masters
        }
        run = GradingRun(
            str(course_root), assignment, str(run_dir), str(template), per_cell, notebook_timeout, isolated,
            read_search, released,
        )  # fmt: skip
        echo(isolation_notice(run))
        if read_search:
            jobs = 1
        tasks = [
            (run, student, str(folder), master) for student, folder in students for master in masters.values()
        ]
        echo(f"grading {len(tasks)} notebook(s) from {len(students)} submission(s), {jobs} at a time")
        if jobs > 1 and len(tasks) > 1:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                results = list(pool.map(_grade_in_worker, tasks))
        else:
            results = [_grade_in_worker(task) for task in tasks]
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        for name, value in saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return results


def write_csv(results: list[NotebookResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    with open(temporary, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for result in sorted(results, key=lambda r: (r.student, r.notebook)):
            writer.writerow(result.row())
    temporary.replace(path)


def summary_table(results: list[NotebookResult]) -> str:
    lines = [f"{'student':<20} {'notebook':<28} {'score':>11}  {'status':<20} flags"]
    for r in sorted(results, key=lambda r: (r.student, r.notebook)):
        score = f"{r.score:g}/{r.max_score:g}"
        flags = ", ".join(sorted({flag.split("(")[0] for flag in r.flags})) or "-"
        lines.append(f"{r.student:<20} {r.notebook:<28} {score:>11}  {r.status:<20} {flags}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment name, a folder of solutions/ (e.g. a1_neurons)")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="course root (default: here)")
    parser.add_argument("--submitted", type=Path, help="folder of submissions (default: COURSE/submitted)")
    parser.add_argument("--csv", type=Path, help="CSV to write (default: COURSE/autograded/ASSIGNMENT.csv)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py's)")
    parser.add_argument("--notebook-timeout", type=int, help="seconds per notebook (default: from the cells)")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default 1)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON lines")
    args = parser.parse_args(argv)

    course = args.course.resolve()
    submitted = (args.submitted or course / "submitted").resolve()
    csv_path = (args.csv or course / "autograded" / f"{args.assignment}.csv").resolve()
    started = time.perf_counter()
    results = grade_assignment(
        course, args.assignment, submitted, args.timeout, args.notebook_timeout, max(1, args.jobs)
    )
    write_csv(results, csv_path)
    print(summary_table(results))
    if args.json:
        for result in results:
            print(json.dumps(asdict(result)))
    print(f"wrote {csv_path} ({len(results)} rows) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
