"""Helpers for the grading tests: paths, the course's assignments, and running the grader.

A module of its own rather than ``conftest``: two test folders have a ``conftest.py``, and
``from conftest import ...`` would pick whichever of them was imported first.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[2]
TOOLS = COURSE_ROOT / "tools"
sys.path.insert(0, str(TOOLS))


def course_assignments() -> list[str]:
    """The assignments in solutions/ (they land one by one; the tests follow whatever exists)."""
    folder = COURSE_ROOT / "solutions"
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if path.is_dir() and any(path.glob("*.ipynb")))


def subprocess_env() -> dict[str, str]:
    """The environment for nbgrader subprocesses: alembic, run by name, must be on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


def copy_course(destination: Path) -> Path:
    """The course's grading inputs (config and solutions) in a folder of their own."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    skip = shutil.ignore_patterns(".ipynb_checkpoints")
    shutil.copytree(COURSE_ROOT / "solutions", destination / "solutions", ignore=skip)
    return destination


def run_grader(course: Path, assignment: str, *options: str, timeout: float = 900):
    """Run the documented grading command; returns (completed process, CSV rows by (student, notebook))."""
    csv_path = course / "autograded" / f"{assignment}.csv"
    command = [sys.executable, str(TOOLS / "grade.py"), assignment, "--course", str(course), *options]
    completed = subprocess.run(
        command, capture_output=True, text=True, env=subprocess_env(), timeout=timeout, cwd=course
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with open(csv_path, newline="") as handle:
        rows = {(row["student"], row["notebook"]): row for row in csv.DictReader(handle)}
    return completed, rows
