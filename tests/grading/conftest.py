"""Set-up for the grading tests: the tools and this folder's helpers on the path; nbgrader needed."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tools"))
sys.path.insert(0, str(HERE))

pytest.importorskip("nbgrader")
