"""Whether the tests run under CI, where a missing tool must fail a test instead of skipping it."""

from __future__ import annotations

import os

import pytest


def running_in_ci() -> bool:
    """True when the ``CI`` environment variable is set to anything but empty, 0, false or no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> None:
    """Skip the current test with ``reason``; under CI, fail it instead."""
    if running_in_ci():
        pytest.fail(f"{reason}; CI is set, so this test may not be skipped", pytrace=False)
    pytest.skip(reason)
