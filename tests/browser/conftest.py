"""Fixtures for the browser tests: a throw-away JupyterLab server and a headless Chromium page.

Where playwright or Debian's Chromium is missing the tests skip, except under CI (the ``CI``
environment variable set, as CI services do), where they fail: CI must not pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chromium import CHROMIUM, open_profile
from ci import skip_or_fail
from lab_harness import REPO_ROOT, start_jupyterlab

ARTIFACTS_DIR = REPO_ROOT / "test-artifacts" / "browser"  # git-ignored

failed_report = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember whether a test failed, so that the page fixture can keep a screenshot of it."""
    report = yield
    if report.failed:
        item.stash[failed_report] = True
    return report


@pytest.fixture(scope="session")
def sync_playwright():
    """Playwright's sync entry point, once Chromium and playwright are known to be there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (it is in requirements-dev.txt)")
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is missing at {CHROMIUM} (Debian: apt-get install chromium)")
    return sync_playwright


@pytest.fixture
def artifacts_dir() -> Path:
    """Folder for screenshots, kept after the run for people and CI to look at."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def lab_root(tmp_path) -> Path:
    """The folder the server shows; tests write their notebooks here."""
    root = tmp_path / "root"
    root.mkdir()
    return root


@pytest.fixture
def lab_server(sync_playwright, lab_root, tmp_path):
    """A JupyterLab server started for one test, and stopped (with its kernels) after it."""
    server = start_jupyterlab(lab_root, tmp_path / "lab-home")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(sync_playwright, lab_server, tmp_path, artifacts_dir, request):
    """A page in a fresh headless Chromium profile; on failure its last screen is saved."""
    with sync_playwright() as playwright:
        context = open_profile(playwright, tmp_path / "chromium-profile")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(30_000)
            browser_errors = []
            page.on("pageerror", lambda error: browser_errors.append(str(error)))
            page.on("console", lambda m: browser_errors.append(m.text) if m.type == "error" else None)
            yield page
            if request.node.stash.get(failed_report, False):
                path = artifacts_dir / f"{request.node.name}-failure.png"
                page.screenshot(path=path)
                print(f"screenshot of the failure: {path}")
                print("browser console errors:", *browser_errors or ["none"], sep="\n  ")
                print(f"server log (tail):\n{lab_server.log_tail()}")
        finally:
            context.close()
