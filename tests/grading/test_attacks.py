"""Attacks on the grader: a blank notebook plus one trick earns nothing, sees nothing, leaves nothing.

A class of submissions is graded in one run of ``python -m grading``, as a real class would be: the
tricks in the kernel, the forged reports, the looters, the leavers, the callers and the malformed
files all in one run, with honest students among them; then three smaller runs for what needs other
options (``--jobs 1``, ``--timeout 1``) or would spoil its neighbours' rows when the grader fails
(the resource hogs). Every run happens twice: as root (this process's user) and as an ordinary
user reached through ``setpriv``. The submissions live in ``attack_cases``; the assertions read the
CSV, the autograded notebooks, and the host's folders, processes and sockets.

``NNLIB_ATTACK_REPORT=FILE`` appends every run's rows to FILE (JSON lines); ``NNLIB_ATTACK_KEEP=1``
keeps the graded courses in /tmp for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attack_cases as ac
import numpy as np
import pytest
import tiny_course

pytestmark = pytest.mark.slow

ACCOUNT = "nnlib-attacks"  # the ordinary user of the "user" variant
HONEST = ("honest", "honest_noisy", "peer")
SECRETS = (
    "solution",  # a comment in the solution's answer cell (solutions/)
    "verdict",  # a comment in a verdict (solutions/, and the gradebook)
    "course_file",  # a file at the course's root
    "other_student",  # a comment in another student's submission
    "earlier_autograded",  # an autograded notebook from an earlier run
    "host_scratch",  # files in the host's /tmp, /var/tmp, /dev/shm, /run/lock
    "grader_environment",  # a variable of the grader's environment
    "lang_prefixed_environment",  # LANGCHAIN_API_KEY: starts like LANG, which the sandbox keeps
)


# --- who grades -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ordinary_account() -> tuple[ac.Account | None, str]:
    """The ordinary user (created once, as root), or why it cannot grade."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return ac.Account(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=False), ""
    try:
        pwd.getpwnam(ACCOUNT)
    except KeyError:
        command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ACCOUNT]
        created = subprocess.run(command, capture_output=True, text=True)
        if created.returncode != 0:
            return None, f"useradd {ACCOUNT} failed: {created.stderr.strip()}"
    entry = pwd.getpwnam(ACCOUNT)
    account = ac.Account(ACCOUNT, entry.pw_uid, entry.pw_gid, switch=True)
    check = ac.run_as(account, sys.executable, "-c", "import grading.classroom, nbgrader")
    if check.returncode != 0:
        return None, (
            f"the ordinary user {ACCOUNT} cannot run {sys.executable} and import the grader "
            f"({check.stderr.strip()[-300:]}). Let others pass through every folder above the Python "
            f"installation {os.path.realpath(sys.base_prefix)}, as .ci/run does (chmod o+x /root, ...)"
        )
    return account, ""


VARIANTS = ("root", "user")


def available_grader(variant: str, ordinary_account) -> ac.Grader | None:
    if variant == "root":
        return ac.Grader("root", ac.Account("root", 0, 0, switch=False)) if os.geteuid() == 0 else None
    account, _ = ordinary_account
    return ac.Grader("user", account) if account is not None else None


def require_grader(variant: str, ordinary_account) -> ac.Grader:
    """The variant's grader; a skip (a failure under CI for the ordinary user) when it cannot run."""
    grader = available_grader(variant, ordinary_account)
    if grader is None:
        if variant == "root":
            pytest.skip("the tests do not run as root: only the ordinary-user variant runs")
        if os.environ.get("CI"):
            pytest.fail(ordinary_account[1])
        pytest.skip(ordinary_account[1])
    return grader


@pytest.fixture(scope="module", params=VARIANTS)
def grader(request, ordinary_account) -> ac.Grader:
    """For the class run: one grader per module instance, so each variant grades its own class."""
    return require_grader(request.param, ordinary_account)


@pytest.fixture(params=VARIANTS)
def variant(request, ordinary_account) -> str:
    """For the small groups, graded for both variants at once: which variant's run a test reads."""
    require_grader(request.param, ordinary_account)
    return request.param


@pytest.fixture(scope="module")
def workspace(grader):
    """A folder the grading account can reach (pytest's own temporary folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="nnlib-attacks-"))
    folder.chmod(0o755)
    yield folder
    if not os.environ.get("NNLIB_ATTACK_KEEP"):
        shutil.rmtree(folder, ignore_errors=True)


# --- the class: classes 1, 2, 3, 4, 5, 6 and 8 in one run ----------------------------------------


@pytest.fixture(scope="module")
def class_run(grader, workspace):
    secret = {name: ac.token(f"nnlib-secret-{name.replace('_', '-')}") for name in SECRETS}
    forged = ac.token("nnlib-attack-forged")
    marker = ac.token("nnlib-attack-left")
    course = ac.new_course(
        workspace / "class", solution_secret=secret["solution"], verdict_secret=secret["verdict"]
    )
    for student, trick in ac.KERNEL_TRICKS.items():
        ac.hand_in(course, student, trick.build(course, forged))
    ac.hand_in_malformed(course)
    ac.hand_in(course, "honest", ac.honest(course))
    ac.hand_in(course, "honest_noisy", ac.with_cells(ac.honest(course), ac.NOISE, (ac.NOISE,)))
    peer = ac.honest(course)
    peer.cells[ac.index_of(peer, "square")].source += f"\n# {secret['other_student']}"
    ac.hand_in(course, "peer", peer)
    (course / "instructor-notes.txt").write_text(f"answers: {secret['course_file']}\n")
    earlier = course / "autograded" / "zoe" / ac.ASSIGNMENT
    earlier.mkdir(parents=True)
    (earlier / f"{ac.NOTEBOOK}.ipynb").write_text(f'{{"note": "{secret["earlier_autograded"]}"}}')
    planted = ac.plant_host_secrets(secret["host_scratch"])
    listeners = ac.Listeners()
    hosts = ac.host_addresses()
    ac.hand_in(course, "loot", ac.with_cells(ac.blank(course), ac.loot(course, [str(p) for p in planted])))
    ac.hand_in(course, "leaver", ac.with_cells(ac.blank(course), ac.leave_behind(marker)))
    attempt = ac.connect_out(hosts, listeners.tcp_port, listeners.udp_port, listeners.abstract, marker)
    ac.hand_in(course, "network", ac.with_cells(ac.blank(course), attempt))
    eve = ac.hand_in(course, "eve", ac.blank(course))
    (eve.parent / "answers.txt").symlink_to(f"../../../solutions/{ac.ASSIGNMENT}/{ac.NOTEBOOK}.ipynb")
    (eve.parent / "notes.txt").symlink_to(planted[0])
    env = {
        "NNLIB_ATTACK_TOKEN": secret["grader_environment"],
        "LANGCHAIN_API_KEY": secret["lang_prefixed_environment"],
    }
    before = ac.scratch_listing()
    try:
        run = grader.grade(course, "--jobs", "2", env=env)
        time.sleep(1)
        survivors = ac.processes_with(marker)
        after = ac.scratch_listing()
    finally:
        listeners.close()
        ac.kill_processes_with(marker)
        ac.remove(planted)
    return {
        "run": run,
        "secret": secret,
        "forged": forged,
        "survivors": survivors,
        "before": before,
        "after": after,
        "hosts": hosts,
        "received": listeners.received,
    }


def test_the_class_is_graded_one_row_per_folder(class_run):
    run = class_run["run"]
    assert run.returncode == 0, run.stderr[-3000:]
    folders = sorted(p.name for p in (run.course / "submitted").iterdir())
    assert len(run.rows) == len(folders), sorted(row["student"] for row in run.rows)
    for student in [*ac.KERNEL_TRICKS, *ac.MALFORMED, *HONEST, "loot", "leaver", "network", "eve"]:
        run.row(student)  # exactly one row each
    skipped = [row for row in run.rows if row["status"] == "skipped"]
    assert len(skipped) == len(ac.ODD_FOLDERS) + 1, [row["student"] for row in skipped]  # and the stray file
    assert all(row["score"] == "0" for row in skipped)


@pytest.mark.parametrize("student", HONEST)
def test_honest_work_gets_full_marks_among_the_attacks(class_run, student):
    run = class_run["run"]
    row = run.row(student)
    assert (row["score"], row["max_score"], row["status"]) == ("5", "5", "graded"), run.outcome(student)


@pytest.mark.parametrize("student", sorted(ac.KERNEL_TRICKS))
def test_a_trick_in_the_kernel_earns_nothing(class_run, student):
    run = class_run["run"]
    row = run.row(student)
    assert (float(row["score"]), row["max_score"]) == (0.0, "5"), run.outcome(student)
    assert row["status"] in ac.STATUSES, run.outcome(student)
    text = run.output_text(student)
    for evidence in ac.KERNEL_TRICKS[student].evidence:
        present = not evidence.startswith("!")
        found = evidence.lstrip("!") in text
        assert found == present, f"the trick did not take effect: {run.outcome(student)}"


def test_a_kernel_that_dies_or_kills_its_runner_is_not_graded_as_if_it_ran(class_run):
    """A dead kernel is reported; the runner is the sandbox's pid 1, which its kernel cannot kill,
    so killing "everything" only ends the kernel: no attempt earns a point or crashes the run."""
    run = class_run["run"]
    assert run.row("k09_os_exit")["status"] == "kernel died", run.outcome("k09_os_exit")
    for student in ("k10_kill_runner", "k11_kill_everything", "f03_baked_outputs"):
        row = run.row(student)
        assert row["score"] == "0" and row["status"] in ac.STATUSES - {"skipped"}, run.outcome(student)
        assert "test_square" in row["notes"] or row["status"] != "graded", run.outcome(student)


def test_the_kernel_cannot_write_the_runners_result(class_run):
    """The runner keeps its result stream from the kernel (grading.sandbox.runner)."""
    run, forged = class_run["run"], class_run["forged"]
    forged_outputs = forged in run.output_text("f04_forged_result")
    assert not forged_outputs, (
        "the kernel wrote the runner's result through /proc/1/fd/1 (bwrap's init) or /proc/2/fd/3 "
        f"(the runner), and the grader took the forgery for the run: {run.outcome('f04_forged_result')}"
    )


@pytest.mark.parametrize("student", sorted(ac.MALFORMED))
def test_a_malformed_submission_earns_nothing_and_gets_a_status(class_run, student):
    run = class_run["run"]
    row = run.row(student)
    assert row["score"] == "0", f"{ac.MALFORMED[student]}: {run.outcome(student)}"
    assert row["status"] in ac.STATUSES - {"skipped"}, run.outcome(student)
    assert row["max_score"] == "5", run.outcome(student)


def test_unreadable_files_are_named_unreadable(class_run):
    run = class_run["run"]
    for student in ac.UNREADABLE:
        assert run.row(student)["status"] == "unreadable", run.outcome(student)
    assert run.row("u05_nothing")["status"] == "not submitted", run.outcome("u05_nothing")


@pytest.mark.parametrize("name", SECRETS)
def test_the_sandbox_sees_no_secret(class_run, name):
    run, secret = class_run["run"], class_run["secret"]
    assert run.score("loot") == 0, run.outcome("loot")
    text = run.notebook_text("loot")
    looted = '"environment": ' in run.output_text("loot")
    assert looted, f"the loot cell did not run: {run.outcome('loot')}"
    seen = secret[name] in text  # not asserted directly: pytest would diff megabytes of loot
    assert not seen, (
        f"the looting student's notebook shows the {name} secret, read from {where(run, secret[name])}"
    )


def where(run: ac.GradingRun, secret: str) -> list[str]:
    """What the looting cell read ``secret`` from (it printed one JSON object: path -> contents)."""
    for line in run.output_text("loot").splitlines():
        if line.startswith("stream []: {"):
            return [path for path, text in json.loads(line[len("stream []: ") :]).items() if secret in text]
    return ["somewhere it did not print as JSON"]


def test_the_planted_secrets_are_where_a_grader_would_find_them(class_run):
    run, secret = class_run["run"], class_run["secret"]
    in_gradebook = secret["verdict"].encode() in (run.course / "gradebook.db").read_bytes()
    assert in_gradebook
    assert (
        secret["solution"] in (run.course / "solutions" / ac.ASSIGNMENT / f"{ac.NOTEBOOK}.ipynb").read_text()
    )


def test_symlinks_in_a_submission_copy_no_secret_into_autograded(class_run):
    run, secret = class_run["run"], class_run["secret"]
    assert run.score("eve") == 0, run.outcome("eve")
    leaked = []
    for path in (run.course / "autograded" / "eve").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            leaked += [
                f"{path.name}: {name}" for name in ("solution", "host_scratch") if secret[name] in text
            ]
    assert leaked == [], (
        "nbgrader copied what a submission's symlinks point at into autograded/eve/ (generate_feedback "
        f"then copies that folder to the student): {leaked}; {run.outcome('eve')}"
    )


def test_nothing_is_left_on_the_host(class_run):
    run = class_run["run"]
    assert "started" in run.output_text("leaver"), run.outcome("leaver")
    assert class_run["survivors"] == [], "processes started by a student outlived grading"
    left = [path for path in ac.left_behind(class_run["before"], class_run["after"]) if os.path.lexists(path)]
    assert left == []
    assert run.score("leaver") == 0, run.outcome("leaver")


def test_no_connection_reaches_the_host(class_run):
    run = class_run["run"]
    text = run.output_text("network")
    assert "tcp failed 127.0.0.1" in text, run.outcome("network")
    connected = "tcp connected" in text or "abstract socket connected" in text
    assert not connected, text
    assert class_run["received"] == [], f"the host's listeners on {class_run['hosts']} heard from the sandbox"
    assert run.score("network") == 0


# --- small groups: both variants' runs at once ---------------------------------------------------


@contextlib.contextmanager
def runs_of_every_variant(ordinary_account, prepare):
    """Start one run per available variant at once: for the small groups, which leave the machine idle.

    ``prepare(grader, folder)`` hands a course in and returns ``grader.start(...)`` and anything
    else to keep; yields {variant: (finished run, what prepare kept)}.
    """
    folder = Path(tempfile.mkdtemp(prefix="nnlib-attacks-"))
    folder.chmod(0o755)
    try:
        pending = {}
        for variant in VARIANTS:
            grader = available_grader(variant, ordinary_account)
            if grader is not None:
                (folder / variant).mkdir()
                pending[variant] = prepare(grader, folder / variant)
        yield {variant: (started.finish(), kept) for variant, (started, kept) in pending.items()}
    finally:
        if not os.environ.get("NNLIB_ATTACK_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)


# --- 4: one submission leaves answers for the next ------------------------------------------------


def _sequence(grader: ac.Grader, folder: Path):
    course = ac.new_course(folder / "sequence")
    ac.hand_in(course, "a_writer", ac.with_cells(ac.honest(course), ac.LEAVE_ANSWERS))
    ac.hand_in(course, "b_reader", ac.with_cells(ac.blank(course), ac.PICK_UP_ANSWERS, (ac.PICK_UP_ANSWERS,)))
    return grader.start(course, "--jobs", "1"), None


@pytest.fixture(scope="module")
def sequence_runs(ordinary_account):
    before = ac.scratch_listing()
    with runs_of_every_variant(ordinary_account, _sequence) as runs:
        yield runs, before, ac.scratch_listing()


def test_a_later_submission_finds_nothing_an_earlier_one_left(sequence_runs, variant):
    runs, before, after = sequence_runs
    run = runs[variant][0]
    assert run.returncode == 0, run.stderr[-3000:]
    writer = run.row("a_writer")
    assert (writer["score"], writer["status"]) == ("5", "graded"), run.outcome("a_writer")
    assert "found answers" not in run.output_text("b_reader")
    assert run.score("b_reader") == 0, run.outcome("b_reader")
    assert [path for path in ac.left_behind(before, after) if os.path.lexists(path)] == []


# --- 4b: one grading process, many students: nothing one leaves in its caches reaches the next ----


def _shared_process(grader: ac.Grader, folder: Path):
    """With ``--jobs 1`` one process grades everyone, with its parsed-cell and metadata caches and
    one compiled copy of the packages; the first student tries to leave something in all three."""
    course = ac.new_course(folder / "shared")
    poisoned = ac.blank(course)
    instructor_cells = [
        cell.source for cell in poisoned.cells if cell.metadata.get("nbgrader", {}).get("locked")
    ]
    for cell in poisoned.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 1000  # a test cell that claims a thousand points
    overwrite_site = (
        "import glob\n"
        "for path in glob.glob('/opt/course/**/*.py*', recursive=True):\n"
        "    try:\n"
        "        open(path, 'a').write('\\nimport builtins; builtins.GIVEN = True\\n')\n"
        "        print('changed', path)\n"
        "    except OSError as error:\n"
        "        print('cannot change', path, type(error).__name__)\n"
    )
    ac.hand_in(course, "a_poisoner", ac.with_cells(poisoned, (overwrite_site, *instructor_cells)))
    ac.hand_in(course, "b_honest", ac.honest(course))
    return grader.start(course, "--jobs", "1"), None


@pytest.fixture(scope="module")
def shared_process_runs(ordinary_account):
    with runs_of_every_variant(ordinary_account, _shared_process) as runs:
        yield runs


def test_a_student_graded_after_a_poisoner_in_the_same_process_is_graded_as_alone(
    shared_process_runs, variant
):
    run = shared_process_runs[variant][0]
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.score("a_poisoner") == 0, run.outcome("a_poisoner")
    assert float(run.row("a_poisoner")["max_score"]) == ac.MAX_SCORE, run.outcome("a_poisoner")
    assert "changed /opt/course" not in run.output_text("a_poisoner")
    honest = run.row("b_honest")
    assert (float(honest["score"]), float(honest["max_score"]), honest["status"]) == (
        ac.MAX_SCORE,
        ac.MAX_SCORE,
        "graded",
    )
    assert honest["flags"] == "", run.outcome("b_honest")


# --- 4c: answers looked for in the grader's own memory, beside broken files ----------------------

SNOOP = """\
import gc
import inspect
import json


def _found(length):
    \"\"\"Any list of numbers of this length in the kernel's memory, the notebook, or a caller's frame.\"\"\"
    seen = []
    for frame in inspect.stack():
        seen += [value for value in frame.frame.f_locals.values() if isinstance(value, list)]
    seen += [value for value in gc.get_objects() if isinstance(value, list)]
    try:
        stored = json.load(open("/opt/submission.ipynb"))
        seen += [json.loads(o["data"]["text/plain"]) for c in stored["cells"] for o in c.get("outputs", [])
                 if "text/plain" in o.get("data", {})]
    except Exception:
        pass
    for value in seen:
        if len(value) == length and all(isinstance(v, float) for v in value) and value != [-2.0, 0.5, 7.0]:
            return value
    return None


def square(x):
    caller = inspect.currentframe().f_back
    inputs = caller.f_locals.get("_INPUTS") or caller.f_globals.get("_INPUTS") or [x]
    answers = _found(len(inputs))
    return answers[inputs.index(x)] if answers else 0.0


def mean(values):
    answers = _found(1)
    return answers[0] if answers else 0.0
"""


def _snoop_and_break(grader: ac.Grader, folder: Path):
    course = ac.new_course(folder / "snoop")
    ac.hand_in(course, "a_honest", ac.honest(course))
    ac.hand_in(course, "b_snooper", ac.with_cells(ac.blank(course), SNOOP))
    ac.hand_in(course, "c_truncated", ac.blank(course)).write_text('{"cells": [{"cell_type": "code", "sou')
    ac.hand_in(course, "d_empty", ac.blank(course)).write_bytes(b"")
    ac.hand_in(course, "e_peer", ac.honest(course))
    return grader.start(course, "--jobs", "2"), None


@pytest.fixture(scope="module")
def snoop_runs(ordinary_account):
    with runs_of_every_variant(ordinary_account, _snoop_and_break) as runs:
        yield runs


def test_answers_are_nowhere_a_kernel_can_look_and_broken_files_cost_only_their_rows(snoop_runs, variant):
    run = snoop_runs[variant][0]
    assert run.returncode == 0, run.stderr[-3000:]
    assert {row["student"] for row in run.rows} == {
        "a_honest",
        "b_snooper",
        "c_truncated",
        "d_empty",
        "e_peer",
    }
    assert run.score("b_snooper") == 0, run.outcome("b_snooper")
    for broken in ("c_truncated", "d_empty"):
        assert run.score(broken) == 0 and run.row(broken)["status"] != "graded", run.outcome(broken)
    for honest in ("a_honest", "e_peer"):
        assert (run.score(honest), run.row(honest)["status"]) == (ac.MAX_SCORE, "graded"), run.outcome(honest)


# --- 4d: the instructor's held-out digits for 6.3, looked for by a blank notebook ------------------


def _held_out_hunt(grader: ac.Grader, folder: Path):
    import nnlib

    X, y = nnlib.data.load_digits()
    aside = np.arange(len(y)) % 5 == 0  # digits the students do not train on, as the instructor's file
    rows = np.column_stack([np.rint(X[aside] * 16).astype(int), y[aside]])
    solved = ("accuracy", "train_epoch")
    hunter = {"train": ac.HUNT_HELD_OUT}
    runs = []
    # The class in the sandbox, and the hunter alone without it: the control that the hunt works.
    for name, sandboxed in (("digits", True), ("digits-unsafe", False)):
        course = ac.digits_course(folder / name)
        held_out = course / "private" / "held_out.tra"
        held_out.parent.mkdir()
        held_out.write_text("".join(",".join(map(str, row)) + "\n" for row in rows))
        held_out.chmod(0o600)
        ac.hand_in_digits(course, "b_hunter", ac.digits_submission(course, solved, hunter))
        options = ["--jobs", "2", "--held-out-digits", str(held_out)]
        if sandboxed:
            ac.hand_in_digits(course, "a_honest", ac.digits_submission(course, (*solved, "train")))
            truncated = ac.hand_in_digits(course, "c_truncated", ac.digits_submission(course, ()))
            truncated.write_text('{"cells": [')
            ac.hand_in_digits(course, "d_peer", ac.digits_submission(course, (*solved, "train")))
        else:
            options.append("--unsafe-no-sandbox")
        runs.append(grader.start(course, *options, notebook_id=ac.DIGITS))
    return runs[0], (int(aside.sum()), runs[1])


@pytest.fixture(scope="module")
def held_out_runs(ordinary_account):
    with runs_of_every_variant(ordinary_account, _held_out_hunt) as runs:
        yield {variant: (run, images, unsafe.finish()) for variant, (run, (images, unsafe)) in runs.items()}


def test_a_blank_notebook_finds_no_held_out_digits_and_broken_files_cost_only_their_rows(
    held_out_runs, variant
):
    run, images, unsafe = held_out_runs[variant]
    assert unsafe.returncode == 0, unsafe.stderr[-3000:]
    # Unisolated, the hunt finds the file and earns 6.3: the attack is real.
    assert unsafe.row("b_hunter")["score"] == "10", unsafe.outcome("b_hunter")
    assert "HUNT found: ['env NN_COURSE_HELD_OUT_DIGITS'" in unsafe.output_text("b_hunter")
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"6.3 is graded on {images} held-out digits" in run.stdout
    assert {row["student"] for row in run.rows} == {"a_honest", "b_hunter", "c_truncated", "d_peer"}
    for honest in ("a_honest", "d_peer"):
        row = run.row(honest)
        assert (row["score"], row["max_score"], row["status"]) == ("10", "10", "graded"), run.outcome(honest)
    hunter = run.row("b_hunter")
    assert (hunter["score"], hunter["status"]) == ("5", "graded"), run.outcome("b_hunter")  # 6.1 and 6.2
    assert "failed: test_train" in hunter["notes"], run.outcome("b_hunter")
    assert "HUNT found: []" in run.output_text("b_hunter"), run.output_text("b_hunter")[-3000:]
    broken = run.row("c_truncated")
    assert (broken["score"], broken["status"]) == ("0", "unreadable"), run.outcome("c_truncated")


# --- 7: time --------------------------------------------------------------------------------------

SLEEPS = 80


def _deadline(grader: ac.Grader, folder: Path):
    marker = ac.token("nnlib-attack-stubborn")
    course = ac.new_course(folder / "deadline")
    ac.hand_in(course, "sleeper", ac.with_cells(ac.blank(course), (ac.SLEEP,) * SLEEPS))
    ac.hand_in(course, "stubborn", ac.with_cells(ac.blank(course), ac.stubborn(marker)))
    ac.hand_in(course, "honest", ac.honest(course))
    timeline = ac.Timeline(course, ["sleeper", "stubborn", "honest"])
    return grader.start(course, "--jobs", "3", "--timeout", "1", timeline=timeline), (timeline, marker)


@pytest.fixture(scope="module")
def deadline_runs(ordinary_account):
    """Both variants at once: the sleepers sleep, so together the runs take the time of one."""
    with runs_of_every_variant(ordinary_account, _deadline) as runs:
        markers = [marker for _, (_, marker) in runs.values()]
        try:
            time.sleep(1)
            yield runs, [survivor for marker in markers for survivor in ac.processes_with(marker)]
        finally:
            for marker in markers:
                ac.kill_processes_with(marker)


def test_a_slow_notebook_stops_at_the_budget_derived_from_the_instructors_notebook(deadline_runs, variant):
    run, (timeline, _) = deadline_runs[0][variant]
    assert run.returncode == 0, run.stderr[-3000:]
    code_cells = sum(cell.cell_type == "code" for cell in tiny_course.master_notebook().cells)
    budget = 1 * code_cells + 30  # --timeout 1 for each of the instructor's code cells, plus startup
    for student in ("sleeper", "stubborn"):
        row = run.row(student)
        assert (row["score"], row["status"]) == ("0", "timed out"), run.outcome(student)
        record = run.record(student)["run"]
        assert record["budget"] == budget and record["seconds"] < budget + 5, record
        took = timeline.row_seen[student] - timeline.notebook_seen[student]
        assert took < 0.75 * SLEEPS * 0.9, f"{student} was graded in {took:.0f} s"
    assert (run.row("honest")["score"], run.row("honest")["status"]) == ("5", "graded"), run.outcome("honest")


def test_nothing_that_ignores_signals_outlives_the_deadline(deadline_runs, variant):
    runs, survivors = deadline_runs
    run = runs[variant][0]
    assert "background-process" in run.row("stubborn")["flags"], run.outcome("stubborn")
    assert survivors == []


# --- 7: resources ---------------------------------------------------------------------------------

MANY_OUTPUTS = 10_000


def _resources(grader: ac.Grader, folder: Path):
    course = ac.new_course(folder / "resources")
    ac.hand_in(course, "a_memory_hog", ac.with_cells(ac.blank(course), ac.MEMORY_HOG))
    ac.hand_in(course, "b_disk_hog", ac.with_cells(ac.blank(course), ac.DISK_HOG))
    ac.hand_in(course, "c_huge_output", ac.with_cells(ac.blank(course), ac.HUGE_OUTPUT))
    many = ac.many_outputs(ac.token("nnlib-attack-many"), MANY_OUTPUTS)
    ac.hand_in(course, "d_many_outputs", ac.with_cells(ac.blank(course), many))
    ac.hand_in(course, "e_honest", ac.honest(course))
    timeline = ac.Timeline(course, sorted(p.name for p in (course / "submitted").iterdir()))
    return grader.start(course, "--jobs", "2", timeline=timeline), timeline


def _fork_bomb(grader: ac.Grader, folder: Path):
    """The bomb first: while one worker holds it, the other grades the honest notebooks after it."""
    course = ac.new_course(folder / "fork_bomb")
    ac.hand_in(course, "a_fork_bomb", ac.with_cells(ac.blank(course), ac.FORK_BOMB))
    for student in ("b_honest", "c_honest", "d_honest"):
        ac.hand_in(course, student, ac.honest(course))
    return grader.start(course, "--jobs", "2"), None


@pytest.fixture(scope="module")
def resource_runs(ordinary_account):
    """Both variants at once: each variant's sandboxes run as a user id of their own."""
    with runs_of_every_variant(ordinary_account, _resources) as runs:
        yield runs


@pytest.fixture(scope="module")
def fork_bomb_runs(ordinary_account):
    with runs_of_every_variant(ordinary_account, _fork_bomb) as runs:
        yield runs


def _printed_number(run, student: str, label: str) -> int:
    for line in run.output_text(student).splitlines():
        if label in line:
            return int(line.split(label, 1)[1].split()[0])
    raise AssertionError(f"{label} not printed: {run.outcome(student)}")


def test_a_fork_bomb_is_bounded_by_the_process_limit(fork_bomb_runs, variant):
    run, _ = fork_bomb_runs[variant]
    assert run.score("a_fork_bomb") == 0, run.outcome("a_fork_bomb")
    forked = _printed_number(run, "a_fork_bomb", "FORKED")
    assert forked <= 256, f"the sandbox forked {forked} processes; its limit is 256"


def test_a_fork_bomb_costs_only_its_own_row(fork_bomb_runs, variant):
    """The notebooks graded while the bomb's processes live still get their marks."""
    run, _ = fork_bomb_runs[variant]
    for student in ("b_honest", "c_honest", "d_honest"):
        row = run.row(student)
        assert (row["score"], row["status"]) == ("5", "graded"), run.outcome(student)


def test_honest_work_gets_full_marks_beside_the_hogs(resource_runs, variant):
    run, _ = resource_runs[variant]
    assert run.returncode == 0, run.stderr[-3000:]
    row = run.row("e_honest")
    assert (row["score"], row["status"]) == ("5", "graded"), run.outcome("e_honest")


def test_memory_and_disk_are_bounded(resource_runs, variant):
    run, _ = resource_runs[variant]
    assert _printed_number(run, "a_memory_hog", "ALLOCATED_MIB") < 4096
    assert _printed_number(run, "b_disk_hog", "WRITTEN_MIB") <= 256 + 64 + 64  # home, /tmp, /dev/shm
    for student in ("a_memory_hog", "b_disk_hog"):
        assert run.score(student) == 0, run.outcome(student)


def test_a_huge_output_costs_only_its_own_row(resource_runs, variant):
    run, _ = resource_runs[variant]
    row = run.row("c_huge_output")
    assert row["score"] == "0" and "size limit" in row["notes"], run.outcome("c_huge_output")
    assert len(run.notebook_text("c_huge_output")) < 2**20


def test_many_small_outputs_do_not_hold_the_grader_up(resource_runs, variant):
    """What the grader does with a notebook's outputs after its sandbox ended takes a bounded time."""
    run, timeline = resource_runs[variant]
    student = "d_many_outputs"
    assert run.score(student) == 0, run.outcome(student)
    assert run.output_text(student).count("display_data [text/plain]: x") >= 100  # the trick ran...
    assert "were dropped" in run.row(student)["notes"]  # ...and all but the first outputs were dropped
    after_sandbox = (
        timeline.row_seen[student] - timeline.notebook_seen[student] - run.record(student)["run"]["seconds"]
    )
    honest = timeline.row_seen["e_honest"] - timeline.notebook_seen["e_honest"]
    assert after_sandbox < 5, (
        f"{MANY_OUTPUTS} one-character outputs kept the grader busy {after_sandbox:.0f} s after the sandbox "
        f"ended (an honest notebook took {honest:.0f} s in all); the 32 MiB cap allows some 400,000"
    )
