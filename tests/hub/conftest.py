"""Fixtures for the hub test: the parts it needs, a running class hub, and headless Chromium.

Where a part is missing (root, the installation of ``hub/install.sh``, Chromium, bubblewrap) the
test skips, except under CI (the ``CI`` environment variable set), where it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from ci import skip_or_fail
from hub_harness import PREFIX, VENV_BIN, create_users, give_instructor_the_course, remove_users, start_hub

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMINGS_FILE = REPO_ROOT / "test-artifacts" / "hub" / "timings.json"  # git-ignored


def check_parts() -> None:
    if os.geteuid() != 0:
        skip_or_fail("the hub test creates system users and spawns servers as them: run it as root")
    for program, how in [
        (VENV_BIN / "jupyterhub", "run hub/install.sh"),
        (VENV_BIN / "configurable-http-proxy", "run hub/install.sh (it installs it with npm)"),
        (PREFIX / "etc" / "jupyterhub_config.py", "run hub/install.sh"),
        (Path("/usr/bin/bwrap"), "apt-get install bubblewrap"),
        (CHROMIUM, "apt-get install chromium"),
    ]:
        if not os.access(program, os.X_OK if program.suffix != ".py" else os.R_OK):
            skip_or_fail(f"{program} is missing ({how})")
    for tool in ("useradd", "userdel", "runuser", "git"):
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is missing")


@pytest.fixture(scope="module")
def class_hub(tmp_path_factory):
    """A hub with an instructor and two students, each a new system account, removed afterwards."""
    check_parts()
    tag = secrets.token_hex(2)
    instructor, students = f"nnt{tag}-teach", [f"nnt{tag}-ada", f"nnt{tag}-bob"]
    users = [instructor, *students]
    create_users(users)
    hub = None
    try:
        give_instructor_the_course(instructor)
        hub = start_hub(tmp_path_factory.mktemp("hub"), instructor, students)
        yield hub
    finally:
        if hub is not None:
            hub.stop()
            # For benchmarks/bench_hub.py, which compares them with the targets; tests assert no times.
            TIMINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
            TIMINGS_FILE.write_text(json.dumps(hub.timings, indent=1))
        remove_users(users)


@pytest.fixture(scope="module")
def browser(class_hub):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (it is in requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
