"""The pieces of the kernel sandbox (tools/grading_sandbox.py) that can be checked on their own."""

from __future__ import annotations

import os
import subprocess
import sys

import grading_sandbox
import pytest
from grading_sandbox import Sandbox, UidLease
from polling import wait_until

needs_root = pytest.mark.skipif(not grading_sandbox.can_drop_privileges(), reason="needs root and setpriv")


def test_the_kernel_environment_carries_no_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("API_TOKEN", "do-not-leak")
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    env = grading_sandbox.kernel_environment(Sandbox(str(tmp_path), None, False, "abc"))
    assert "API_TOKEN" not in env and "PYTHONPATH" not in env
    assert env["OPENBLAS_CORETYPE"] == "Haswell"  # machine settings numpy needs do pass
    assert env["HOME"] == str(tmp_path) and env["TMPDIR"].startswith(str(tmp_path))
    assert env[grading_sandbox.TOKEN_ENV] == "abc"


def test_sandbox_description_round_trips(tmp_path):
    sandbox = Sandbox(str(tmp_path / "scratch"), 41234, True, "f00d")
    sandbox.save(tmp_path / "sandbox.json")
    assert Sandbox.load(tmp_path / "sandbox.json") == sandbox
    assert (tmp_path / "sandbox.json").stat().st_mode & 0o077 == 0


def test_two_leases_never_share_an_id_and_leave_no_lock_behind():
    with UidLease() as first, UidLease() as second:
        assert first != second
        assert grading_sandbox.UID_RANGE[0] <= first <= grading_sandbox.UID_RANGE[1]
        lock_dir = grading_sandbox.Path(grading_sandbox.tempfile.gettempdir()) / "nnlib-grader-uids"
        assert (lock_dir / f"{first}.lock").exists()
    assert not (lock_dir / f"{first}.lock").exists()


def test_the_launcher_refuses_to_start_outside_the_grader():
    env = {key: value for key, value in os.environ.items() if key != grading_sandbox.SANDBOX_ENV}
    completed = subprocess.run(
        [sys.executable, grading_sandbox.__file__, "launch-kernel", "connection.json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert completed.returncode != 0
    assert "only started by the grader" in completed.stderr


@needs_root
def test_every_process_of_a_sandbox_id_is_ended_even_detached_ones(tmp_path):
    with UidLease() as uid:
        command = grading_sandbox.setpriv_command(uid, read_search=False) + [
            "/bin/sh",
            "-c",
            "setsid sleep 300 & (sleep 301 &) ; sleep 302",
        ]
        launched = subprocess.Popen(command, cwd="/")
        assert wait_until(
            lambda: len(grading_sandbox.list_processes(uid)) >= 3,
            timeout=10,
            what="its three processes",
        )
        sandbox = Sandbox(str(tmp_path), uid, False, "unused")
        assert grading_sandbox.end_all_processes(sandbox)
        assert grading_sandbox.list_processes(uid) == []
        launched.wait(timeout=10)


@needs_root
def test_files_a_sandbox_id_leaves_in_shared_scratch_folders_are_removed(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    mine = shared / "kept"
    mine.write_text("the grader's")
    with UidLease() as uid:
        left = shared / "left-behind"
        left.mkdir()
        (left / "file").write_text("x")
        os.chown(left, uid, uid)
        grading_sandbox.remove_files_of(uid, folders=[str(shared)])
    assert not left.exists() and mine.read_text() == "the grader's"
