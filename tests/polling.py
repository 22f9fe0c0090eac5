"""Waiting for something another process does, for the tests that start processes."""

from __future__ import annotations

import time


def wait_until(condition, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll ``condition()`` until it returns a truthy value; return that value.

    Raises
    ------
    TimeoutError
        naming ``what`` was awaited, when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
