"""Debian's Chromium, started the same way by every browser test (the lectures', the handouts', the hub's).

Playwright's own browser download does not work on the machines this course is tested on, so the
tests drive ``/usr/bin/chromium`` (``apt-get install chromium``).
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1000}


def open_profile(playwright, profile: Path):
    """A headless Chromium with a fresh profile in ``profile`` (Playwright refuses ``--user-data-dir``
    among the arguments, so a persistent context is how a test gets a profile of its own)."""
    return playwright.chromium.launch_persistent_context(
        profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT
    )
