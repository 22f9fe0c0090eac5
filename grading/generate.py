"""Generate the students' exercises/ from the instructor's solutions/, or check they agree.

Usage (from the course root)::

    python -m grading.generate            # regenerate every assignment in solutions/
    python -m grading.generate a2_losses  # regenerate some assignments only
    python -m grading.generate --check    # exit 1 if exercises/ differs from solutions/

Each assignment goes through nbgrader's ``generate_assignment NAME --force`` step (run in this
process): answers between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become a stub that
raises ``NotImplementedError``, hidden tests are removed, outputs are cleared and locked cells
get checksums. The result is byte-for-byte reproducible, so exercises/ is committed and the tests
check that it matches. ``exercises/`` folders without a ``solutions/`` counterpart are removed.
Generating also records the assignment in the course's (git-ignored) gradebook.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import logging
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

IGNORED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def assignments_in(course_root: Path) -> list[str]:
    """Assignment names: the folders of solutions/ that hold at least one notebook."""
    solutions = course_root / "solutions"
    if not solutions.is_dir():
        return []
    return sorted(
        folder.name for folder in solutions.iterdir() if folder.is_dir() and any(folder.glob("*.ipynb"))
    )


def generate(course_root: Path, assignments: list[str] | None = None) -> list[str]:
    """Run nbgrader's generate_assignment (with --force) for each assignment; returns their names.

    Uses ``course_root/nbgrader_config.py``; output goes to ``course_root/exercises``.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    known = assignments_in(course_root)
    chosen = known if not assignments else assignments
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise SystemExit(f"not assignments in {course_root / 'solutions'}: {', '.join(unknown)}")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    for assignment in chosen:
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.force = True
        log = io.StringIO()
        converter.log = logging.getLogger(f"generate-exercises.{assignment}")
        converter.log.handlers[:] = [logging.StreamHandler(log)]
        converter.log.propagate = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                converter.start()
        except Exception as error:
            raise SystemExit(f"nbgrader could not generate {assignment}:\n{log.getvalue()}") from error
    if not assignments:
        exercises = course_root / "exercises"
        for stale in sorted(exercises.iterdir()) if exercises.is_dir() else []:
            if stale.is_dir() and stale.name not in known and stale.name not in IGNORED:
                shutil.rmtree(stale)
    return chosen


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and not IGNORED.intersection(path.relative_to(folder).parts)
    }


def compare_trees(expected: Path, actual: Path) -> list[str]:
    """Differences between two folders of files, one readable line each (empty if identical)."""
    wanted, present = _files(expected), _files(actual)
    problems = [f"missing: {name}" for name in sorted(wanted - present)]
    problems += [f"unexpected: {name}" for name in sorted(present - wanted)]
    for name in sorted(wanted & present):
        if not filecmp.cmp(expected / name, actual / name, shallow=False):
            problems.append(f"differs: {name}")
    return problems


def check(course_root: Path) -> list[str]:
    """Regenerate every assignment in a temporary copy of the course and compare with exercises/.

    Returns the differences (empty when the committed exercises/ is up to date).
    """
    with tempfile.TemporaryDirectory(prefix="exercise-check-") as scratch:
        copy = Path(scratch)
        shutil.copy2(course_root / "nbgrader_config.py", copy / "nbgrader_config.py")
        if (course_root / "solutions").is_dir():
            skip = shutil.ignore_patterns(*IGNORED)
            shutil.copytree(course_root / "solutions", copy / "solutions", ignore=skip)
        generate(copy)
        return compare_trees(copy / "exercises", course_root / "exercises")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="assignments to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on any difference")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course root (default: .)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if args.check:
        problems = check(course)
        for problem in problems:
            print(problem)
        print("exercises/ is up to date" if not problems else "run: python -m grading.generate")
        return 1 if problems else 0
    for assignment in generate(course, args.assignments or None):
        print(f"generated exercises/{assignment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
