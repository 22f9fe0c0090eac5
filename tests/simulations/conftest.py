"""torch as an oracle: skipped where it is missing, except under CI, where it must be installed."""

import importlib
import os

import pytest


@pytest.fixture
def torch():
    if os.environ.get("CI"):
        return importlib.import_module("torch")
    return pytest.importorskip("torch")
