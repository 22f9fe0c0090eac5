"""Time grading: the start of one sandbox, and a whole class of one assignment.

Usage::

    python benchmarks/bench_grading.py [--assignment a1_neurons] [--students 30] [--jobs 2]

1. Sandbox start: the median time of ``bwrap`` (with every namespace, mount and limit the grader
   uses) running ``true``, and running ``python -c pass``, over 20 runs each.
2. A class: in a temporary copy of the course, ``--students`` submissions (two thirds the
   solution, one third the untouched exercise), graded once with the documented command
   ``python -m grading ASSIGNMENT --jobs N``; prints the wall time and the scores seen.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from grading import generate, sandbox

COURSE_ROOT = Path(__file__).resolve().parent.parent


def sandbox_start(runs: int = 20) -> dict[str, float]:
    """Median seconds for an empty sandbox, and for one that starts Python."""
    timings = {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.chmod(folder, 0o755)  # readable by the sandbox's user ("nobody" when root runs this)
        notebook = folder / "empty.ipynb"
        notebook.write_text("{}")
        base = sandbox.bwrap_command(sandbox.shared_site(), notebook, sandbox.Limits(), cpu_seconds=10)
        for label, tail in [("true", ["/usr/bin/true"]), ("python -c pass", [sys.executable, "-c", "pass"])]:
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                subprocess.run(base + tail, env=sandbox.sandbox_environment(), check=True)
                samples.append(time.perf_counter() - started)
            timings[label] = statistics.median(samples)
    return timings


def build_class(course: Path, assignment: str, students: int) -> None:
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(COURSE_ROOT / "solutions" / assignment, course / "solutions" / assignment)
    generate.generate(course, [assignment])
    for index in range(students):
        kind = "exercises" if index % 3 == 2 else "solutions"
        folder = course / "submitted" / f"student{index:03d}" / assignment
        folder.mkdir(parents=True)
        for notebook in (course / kind / assignment).glob("*.ipynb"):
            shutil.copy(notebook, folder / notebook.name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="a1_neurons")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    for label, seconds in sandbox_start().items():
        print(f"sandbox start, {label:<15} median {seconds * 1000:6.0f} ms")

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        course = Path(folder)
        build_class(course, args.assignment, args.students)
        env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
        command = [sys.executable, "-m", "grading", args.assignment, "--jobs", str(args.jobs)]
        started = time.perf_counter()
        subprocess.run(command, cwd=course, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        with open(course / "autograded" / f"{args.assignment}.csv") as handle:
            rows = list(csv.DictReader(handle))
    outcomes = Counter((row["score"], row["status"]) for row in rows)
    print(f"graded {len(rows)} notebooks with --jobs {args.jobs} in {seconds:.1f} s "
          f"({seconds / len(rows):.2f} s per notebook)")  # fmt: skip
    for (score, status), count in sorted(outcomes.items()):
        print(f"  {count:3d} x score {score:>4} ({status})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
