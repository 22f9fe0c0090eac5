"""Grade every submission of an assignment: ``python -m grading ASSIGNMENT [--jobs N]``.

Reads ``submitted/<student>/<ASSIGNMENT>/<notebook>.ipynb`` under the course root, runs nbgrader's
autograder on each notebook on its own (with the course's sandboxed preprocessors, see
``nbgrader_config.py``), so grades land in nbgrader's gradebook, and writes
``autograded/<ASSIGNMENT>.csv`` with one row per notebook and per folder of ``submitted/``::

    student, assignment, notebook, score, max_score, status, flags, notes

``status`` is "graded", "needs manual grading", "timed out", "kernel died", "not submitted",
"unreadable", "skipped" or "grader error"; anything but "graded" asks a person to look. ``flags``
are hints from a static look at the student's own code (``grading.flags``); they never change a
score. Each notebook is its own failure boundary: whatever goes wrong costs that row only. Rows
are appended to the CSV as they finish; the file is rewritten in order at the end.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import multiprocessing
import os
import re
import sqlite3
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grading import held_out, sandbox

CSV_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "status", "flags", "notes"]
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
MAX_NOTEBOOK_BYTES = 20 * 2**20


class GradingStopped(SystemExit):
    """A problem that stops grading before anything is graded; its message says what to do."""

    def __init__(self, message: str):
        super().__init__(f"grading stopped: {message}")


@dataclass
class Row:
    """The grade of one student's notebook: one CSV row."""

    student: str
    assignment: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "graded"
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_csv(self) -> dict[str, str]:
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


@dataclass(frozen=True)
class Settings:
    """What every worker needs to grade one notebook."""

    course: str
    assignment: str
    timeout: int | None
    notebook_timeout: int | None
    unsafe_no_sandbox: bool


# --- the course ---------------------------------------------------------------------------------


def load_config(course: Path, settings: Settings | None = None):
    """The course's nbgrader configuration, with this run's overrides."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (course / "nbgrader_config.py").is_file():
        raise GradingStopped(f"no nbgrader_config.py in {course}: is it the course's root folder?")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    if settings is not None:
        if settings.timeout:
            config.SandboxedExecute.timeout = settings.timeout
        if settings.notebook_timeout:
            config.SandboxedExecute.notebook_timeout = settings.notebook_timeout
        config.SandboxedExecute.unsafe_no_sandbox = settings.unsafe_no_sandbox
    return config


def notebook_names(course: Path, assignment: str) -> list[str]:
    """The assignment's notebooks, from ``solutions/``; a clear error for an unknown assignment."""
    folder = course / "solutions" / assignment
    names = sorted(path.stem for path in folder.glob("*.ipynb")) if folder.is_dir() else []
    if not names:
        known = sorted(p.name for p in (course / "solutions").glob("*") if any(p.glob("*.ipynb")))
        raise GradingStopped(
            f"unknown assignment {assignment!r}; solutions/ holds: {', '.join(known) or 'nothing'}"
        )
    return names


def check_tests(course: Path, assignment: str, notebooks: list[str]) -> dict[str, float]:
    """Every test cell of the assignment has a well-formed verdict; return each notebook's points."""
    import nbformat

    from grading.preprocessors.record import is_autograded_test, nbgrader_metadata
    from grading.verdicts import AuthoringError, split_test_cell

    points = {}
    for name in notebooks:
        master = nbformat.read(course / "solutions" / assignment / f"{name}.ipynb", as_version=4)
        points[name] = 0.0
        for cell in master.cells:
            meta = nbgrader_metadata(cell)
            if meta.get("grade"):
                points[name] += float(meta.get("points") or 0)
            if is_autograded_test(cell):
                try:
                    split_test_cell(cell.source, meta.get("grade_id", "?"))
                except AuthoringError as error:
                    raise GradingStopped(f"solutions/{assignment}/{name}.ipynb: {error}") from None
    return points


def gradebook_path(config) -> Path | None:
    """The gradebook's file, for a SQLite gradebook (None for another database)."""
    url = config.CourseDirectory.db_url
    if not isinstance(url, str) or not url.startswith("sqlite:///"):
        return None
    return Path(url[len("sqlite:///") :].partition("?")[0])


def check_gradebook_free(path: Path | None) -> None:
    """Stop, before grading anything, if another program holds the gradebook's write lock."""
    if path is None or not path.exists():
        return
    connection = sqlite3.connect(path, timeout=3)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
    except sqlite3.OperationalError as error:
        raise GradingStopped(
            f"the gradebook {path.name} is locked by another program ({error}): formgrader saving a "
            "grade, or another grading run. Nothing was graded; try again when it is free."
        ) from None
    finally:
        connection.close()


def generate_gradebook(course: Path, assignment: str, config) -> None:
    """Record the assignment's cells, points and hidden tests in the gradebook (nbgrader's own step)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.log, log = _quiet_logger("generate")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converter.start()
    except Exception as error:
        raise GradingStopped(
            f"nbgrader could not generate {assignment}: {error}\n{log.getvalue()}"
        ) from error


def list_students(submitted: Path) -> tuple[list[str], list[Row]]:
    """Valid student folders of ``submitted/``, and a 'skipped' row for each other entry."""
    if not submitted.is_dir():
        raise GradingStopped(
            f"no folder of submissions at {submitted} (expected submitted/<student>/<assignment>/)"
        )
    students, skipped = [], []
    for entry in sorted(submitted.iterdir()):
        if entry.name.startswith("."):
            skipped.append(Row(repr(entry.name)[:40], "", "", status="skipped", notes=["a hidden folder"]))
            continue
        if entry.is_symlink() or not entry.is_dir() or not STUDENT_ID.match(entry.name):
            reason = "not a folder" if not entry.is_dir() or entry.is_symlink() else "not a valid student id"
            name = entry.name if STUDENT_ID.match(entry.name) else repr(entry.name)[:40]
            skipped.append(Row(name, "", "", status="skipped", notes=[f"{reason} (letters, digits, _.@+-)"]))
            continue
        students.append(entry.name)
    return students, skipped


def links_in(folder: Path) -> str | None:
    """A reason to refuse a submission holding links: nbgrader would copy what they point to
    (say, the solutions) into autograded/ and on into the student's feedback."""
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            if os.path.islink(os.path.join(root, name)):
                return "the submission holds links; hand in files only"
    return None


def readable(path: Path) -> str | None:
    """None if ``path`` is a notebook nbgrader can read; else the reason it is not."""
    import nbformat

    if path.is_symlink() or not path.is_file():
        return "not a regular file"
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except (
        ValueError,
        RecursionError,
        UnicodeDecodeError,
        nbformat.ValidationError,
        KeyError,
        TypeError,
    ) as error:
        return f"not a valid notebook ({type(error).__name__})"
    return None


# --- one notebook -------------------------------------------------------------------------------


def _quiet_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    buffer = io.StringIO()
    logger = logging.getLogger(f"grading.{name}.{os.getpid()}")
    logger.handlers[:] = [logging.StreamHandler(buffer)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, buffer


def grade_notebook(settings: Settings, student: str, notebook: str, max_score: float) -> Row:
    """Grade one notebook with nbgrader's autograder; any failure becomes this row's status."""
    row = Row(student, settings.assignment, notebook, max_score=max_score)
    course = Path(settings.course)
    folder = course / "submitted" / student / settings.assignment
    path = folder / f"{notebook}.ipynb"
    if not path.exists() and not path.is_symlink():
        row.status = "not submitted"
        return row
    problem = (
        "the assignment's folder is a link" if folder.is_symlink() else links_in(folder) or readable(path)
    )
    if problem is not None:
        row.status, row.notes = "unreadable", [problem]
        return row
    try:
        _autograde(settings, student, notebook, row)
    except Exception as error:  # one notebook's failure must not stop the class
        row.score, row.status = 0.0, "grader error"
        row.notes.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}")
    return row


def _autograde(settings: Settings, student: str, notebook: str, row: Row) -> None:
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    config = load_config(Path(settings.course), settings)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = settings.assignment
    coursedir.student_id = student
    coursedir.notebook_id = notebook
    converter = Autograde(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_student = True
    converter.log, log = _quiet_logger("autograde")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sqlalchemy's notes on nbgrader's sessions
            converter.start()
    except Exception:
        row.status = "grader error"
        row.notes.append("nbgrader could not grade this notebook: " + _last_error(log.getvalue()))
        return
    autograded = Path(coursedir.format_path(coursedir.autograded_directory, student, settings.assignment))
    record = nbformat.read(autograded / f"{notebook}.ipynb", as_version=4).metadata.get("grading", {})
    with Gradebook(coursedir.db_url) as gradebook:
        submitted = gradebook.find_submission_notebook(notebook, settings.assignment, student)
        row.score, row.max_score = submitted.score, submitted.max_score
    row.status = record.get("status") or "grader error"
    row.flags = list(record.get("flags", []))
    row.notes += list(record.get("notes", []))
    failed = [grade_id for grade_id, test in record.get("tests", {}).items() if not test.get("passed")]
    if failed:
        row.notes.append(f"failed: {', '.join(failed)}")


def _last_error(log: str) -> str:
    """The last exception class nbgrader logged (never file contents)."""
    names = re.findall(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Missing\w*))\b", log)
    names = [name for name in names if name != "NbGraderException"]
    return names[-1] if names else "see nbgrader's log"


def skip_unused_imports() -> None:
    """Spare this process an import that no grading step uses.

    ``jsonschema``, which nbformat and nbgrader import, builds a grammar for IRI formats from
    ``rfc3987_syntax`` at import time: 2 to 4 s of CPU in every grading process. No notebook or
    nbgrader schema checks IRI formats, and jsonschema does without the package when it is missing.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def _start_worker(site: str | None) -> None:
    skip_unused_imports()
    if site is not None:
        sandbox.use_site(Path(site))


def _grade_task(task) -> Row:
    row = grade_notebook(*task)
    if task[0].unsafe_no_sandbox:
        row.flags.insert(0, "UNSAFE(graded without a sandbox)")
    return row


# --- the class ----------------------------------------------------------------------------------


class CsvWriter:
    """Writes rows as they finish, then rewrites the file in order; instructors only (mode 0600)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.rows: list[Row] = []
        self.handle = open(path, "w", newline="", opener=lambda p, f: os.open(p, f, 0o600))  # noqa: SIM115
        os.chmod(path, 0o600)
        self.writer = csv.DictWriter(self.handle, fieldnames=CSV_COLUMNS)
        self.writer.writeheader()

    def add(self, row: Row) -> None:
        self.rows.append(row)
        self.writer.writerow(row.as_csv())
        self.handle.flush()

    def close(self) -> list[Row]:
        self.handle.close()
        ordered = sorted(self.rows, key=lambda r: (r.status == "skipped", r.student, r.notebook))
        with open(self.path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(row.as_csv() for row in ordered)
        return ordered


def grade_class(settings: Settings, jobs: int = 1, csv_path: Path | None = None, echo=print) -> list[Row]:
    """Grade every submission of ``settings.assignment``; return the rows written to the CSV."""
    course = Path(settings.course)
    config = load_config(course, settings)
    notebooks = notebook_names(course, settings.assignment)
    max_scores = check_tests(course, settings.assignment, notebooks)
    students, skipped = list_students(course / "submitted")
    if settings.unsafe_no_sandbox:
        echo("WARNING: --unsafe-no-sandbox: student code runs with your rights; every row says so")
    else:
        sandbox.check_available(course)
    database = gradebook_path(config)
    check_gradebook_free(database)
    generate_gradebook(course, settings.assignment, config)
    if database is not None and database.exists():
        os.chmod(database, 0o600)
    autograded = course / "autograded"
    autograded.mkdir(mode=0o700, exist_ok=True)
    os.chmod(autograded, 0o700)  # graded notebooks and the CSV: for instructors only
    csv_path = csv_path or course / "autograded" / f"{settings.assignment}.csv"
    writer = CsvWriter(csv_path)
    for row in skipped:
        row.assignment = settings.assignment
        writer.add(row)
    tasks = [
        (settings, student, notebook, max_scores[notebook]) for student in students for notebook in notebooks
    ]
    echo(f"grading {len(tasks)} notebook(s) of {len(students)} student(s), {jobs} at a time")
    if jobs > 1 and len(tasks) > 1:
        site = None if settings.unsafe_no_sandbox else str(sandbox.shared_site())
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_start_worker, initargs=(site,)) as pool:
            for future in as_completed([pool.submit(_grade_task, task) for task in tasks]):
                writer.add(future.result())
    else:
        for task in tasks:
            writer.add(_grade_task(task))
    return writer.close()


def use_held_out_digits(path: Path) -> int:
    """Check an instructor's file of digits for 6.3 and hand its path to this run's verdicts
    (``grading.held_out``); returns the number of images. Workers inherit the variable."""
    if sandbox.shows(path):
        shown = ", ".join(sandbox.host_paths_shown())
        raise GradingStopped(
            f"a graded notebook could read {path} (the sandbox shows {shown}); "
            "keep the held-out digits elsewhere, such as beside the gradebook"
        )
    try:
        images, _ = held_out.read_digits(path)
    except held_out.HeldOutDigitsError as error:
        raise GradingStopped(str(error)) from None
    os.environ[held_out.ENVIRONMENT_VARIABLE] = str(path.resolve())
    return len(images)


def summary_table(rows: list[Row]) -> str:
    lines = [f"{'student':<20} {'notebook':<28} {'score':>9}  {'status':<20} flags"]
    for row in rows:
        flags = ", ".join(sorted({flag.split("(")[0] for flag in row.flags})) or "-"
        score = f"{row.score:g}/{row.max_score:g}"
        lines.append(f"{row.student:<20} {row.notebook:<28} {score:>9}  {row.status:<20} {flags}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="a folder of solutions/, e.g. a1_neurons")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course root (default: .)")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default 1)")
    parser.add_argument("--csv", type=Path, help="CSV to write (default: autograded/ASSIGNMENT.csv)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py's)")
    parser.add_argument(
        "--notebook-timeout", type=int, help="seconds per notebook (default: from the solution)"
    )
    parser.add_argument(
        "--unsafe-no-sandbox", action="store_true", help="run student code unisolated (your own laptop only)"
    )
    parser.add_argument(
        "--held-out-digits",
        type=Path,
        metavar="FILE",
        help="grade 6.3 on these digits, in UCI's optdigits format (see grading/held_out.py)",
    )
    args = parser.parse_args(argv)
    skip_unused_imports()
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    settings = Settings(
        str(args.course.resolve()),
        args.assignment,
        args.timeout,
        args.notebook_timeout,
        args.unsafe_no_sandbox,
    )
    started = time.perf_counter()
    try:
        if args.held_out_digits is not None:
            count = use_held_out_digits(args.held_out_digits)
            print(f"6.3 is graded on {count} held-out digits from {args.held_out_digits}")
        rows = grade_class(settings, args.jobs, args.csv.resolve() if args.csv else None)
    except sandbox.SandboxUnavailable as error:
        print(f"grading stopped: {error}", file=sys.stderr)
        return 2
    except GradingStopped as error:
        print(error.code, file=sys.stderr)
        return 2
    print(summary_table(rows))
    print(f"{len(rows)} rows in {time.perf_counter() - started:.1f} s")
    return 0
