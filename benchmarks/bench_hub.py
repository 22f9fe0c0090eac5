"""Time the class's hub: start-up, servers, and a whole round of an assignment.

Usage (as root, after ``hub/install.sh``, as for the hub test)::

    python benchmarks/bench_hub.py

Runs the end-to-end hub test (``tests/hub/test_class_hub.py``), which records how long each step
took, and prints those figures beside the course's targets. The test itself asserts no times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMINGS_FILE = ROOT / "test-artifacts" / "hub" / "timings.json"
TARGETS = {  # seconds
    "hub up": 20,
    "instructor's server": 10,
    "student's server": 10,
    "second student's server": 10,
    "grading two notebooks": None,
    "whole test": 240,
}


def main() -> int:
    TIMINGS_FILE.unlink(missing_ok=True)
    test = "tests/hub/test_class_hub.py::test_a_class_releases_submits_grades_and_gets_feedback"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", test], cwd=ROOT)
    if not TIMINGS_FILE.exists():
        print("the hub test recorded no timings; see its output above", file=sys.stderr)
        return 1
    timings = json.loads(TIMINGS_FILE.read_text())
    print(f"{'step':<26} {'seconds':>8} {'target':>8}")
    for step, seconds in timings.items():
        target = TARGETS.get(step)
        print(f"{step:<26} {seconds:8.1f} {'' if target is None else f'<= {target}':>8}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
