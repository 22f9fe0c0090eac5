"""Time the grading of a class: 30 submissions of one assignment, honest and adversarial.

Usage::

    python benchmarks/bench_grading.py [--assignment a1_neurons] [--students 30] [--timeout 15]

Builds, in a temporary copy of the course, a class made from the assignment's solution and its
exercise: full solutions, untouched exercises, and the tricks a grader must survive (numpy
monkeypatched, test cells edited, deleted or stripped of metadata, an endless loop, ``os._exit``,
and a submission that attacks the grader's files from a background process). Then it runs the
documented grading command once, reports the wall time, a table of what each kind of submission
got, and whether the course files came out unchanged.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

COURSE_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(COURSE_ROOT / "tools"))

import generate_exercises  # noqa: E402
from grading_checks import nbgrader_metadata  # noqa: E402


def _first_test(notebook) -> int:
    for index, cell in enumerate(notebook.cells):
        meta = nbgrader_metadata(cell)
        if meta.get("grade") and not meta.get("solution"):
            return index
    raise ValueError("the notebook has no test cell")


def _with_cell(notebook, source: str):
    notebook = copy.deepcopy(notebook)
    notebook.cells.insert(_first_test(notebook), new_code_cell(source))
    return notebook


def _tests_edited(notebook):
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        meta = nbgrader_metadata(cell)
        if meta.get("grade") and not meta.get("solution"):
            cell.source, meta["points"] = "pass", 100
    return notebook


def _tests_deleted(notebook):
    notebook = copy.deepcopy(notebook)
    del notebook.cells[_first_test(notebook)]
    return notebook


def _stripped(notebook):
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        cell.metadata = {}
    return notebook


def _attack(targets: list[str]) -> str:
    loop = (
        "import time\n"
        "for _ in range(150):\n"
        f"    for path in {targets!r}:\n"
        "        try:\n"
        "            open(path, 'w').write('forged')\n"
        "        except OSError:\n"
        "            pass\n"
        "    time.sleep(0.2)\n"
    )
    return (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {loop!r}], start_new_session=True)\n"
        f"exec({loop.replace('range(150)', 'range(1)')!r})"
    )


def make_class(course: Path, assignment: str, students: int) -> dict[str, str]:
    """Write ``students`` submissions; returns student -> kind of submission."""
    solutions = sorted((course / "solutions" / assignment).glob("*.ipynb"))
    targets = [str(course / "gradebook.db"), str(solutions[0]), str(course / "nbgrader_config.py")]
    kinds = {
        "solution": lambda solution, exercise: solution,
        "untouched exercise": lambda solution, exercise: exercise,
        "numpy monkeypatched": lambda s, exercise: _with_cell(exercise, "np.allclose = lambda *a, **k: True"),
        "tests edited, points raised": lambda s, exercise: _tests_edited(exercise),
        "a test cell deleted": lambda solution, e: _tests_deleted(solution),
        "metadata stripped": lambda solution, e: _stripped(solution),
        "sys.exit": lambda solution, e: _with_cell(solution, "import sys\nsys.exit(1)"),
        "endless loop": lambda solution, e: _with_cell(solution, "while True:\n    pass"),
        "os._exit": lambda solution, e: _with_cell(solution, "import os\nos._exit(0)"),
        "grader attack": lambda solution, e: _with_cell(solution, _attack(targets)),
    }
    names = list(kinds)
    plan = {}
    for number in range(students):
        kind = names[number % len(names)] if number % 3 else "solution"  # a third honest
        student = f"student{number:02d}"
        plan[student] = kind
        for master_path in solutions:
            solution = nbformat.read(master_path, as_version=4)
            exercise = nbformat.read(course / "exercises" / assignment / master_path.name, as_version=4)
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(kinds[kind](solution, exercise), folder / master_path.name)
    return plan


def digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] != "autograded":
            hasher.update(str(relative).encode() + path.read_bytes())
    return hasher.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="a1_neurons")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--timeout", type=int, default=15, help="seconds per cell")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch:
        course = Path(scratch) / "course"
        course.mkdir()
        shutil.copy(COURSE_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(COURSE_ROOT / "solutions" / args.assignment, course / "solutions" / args.assignment)
        generate_exercises.generate(course)
        plan = make_class(course, args.assignment, args.students)
        before = digest(course)

        env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
        command = [sys.executable, str(COURSE_ROOT / "tools" / "grade.py"), args.assignment]
        command += ["--course", str(course), "--timeout", str(args.timeout), "--jobs", str(args.jobs)]
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            print(completed.stdout, completed.stderr)
            return 1
        time.sleep(3)  # a surviving attacker would strike now
        unchanged = digest(course) == before

        with open(course / "autograded" / f"{args.assignment}.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        print(completed.stdout.splitlines()[0])
        notebooks = len(rows)
        print(
            f"\n{args.students} submissions ({notebooks} notebooks) of {args.assignment}, cell timeout "
            f"{args.timeout} s, {args.jobs} job(s): {seconds:.1f} s, {seconds / notebooks:.1f} s per notebook"
        )
        print(f"course files unchanged after grading: {unchanged}\n")
        print("| submission | score | status | flags |")
        print("|---|---|---|---|")
        seen = set()
        for row in rows:
            kind = plan[row["student"]]
            if kind in seen:
                continue
            seen.add(kind)
            flags = (
                ", ".join(sorted({flag.split("(")[0] for flag in row["flags"].split("; ") if flag})) or "-"
            )
            print(f"| {kind} | {row['score']}/{row['max_score']} | {row['status']} | {flags} |")
    return 0 if unchanged else 1


if __name__ == "__main__":
    sys.exit(main())
