"""The course run for a class on a real JupyterHub, driven in Chromium.

One instructor and two students, each a system account: the instructor releases ``a1_neurons``;
Ada fetches it from the Assignments tab, solves it and submits; Bob submits it untouched; the
instructor collects, grades in the sandbox and releases feedback; each student sees their own
score and nothing of the other's. Then a course update is pulled with nbgitpuller into a home
where the student changed a lecture.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import time

import pytest
from hub_harness import REPO_ROOT, ClassHub, publish_course
from lab_session import LabSession

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "a1_neurons"
NOTEBOOK = "activations_and_neurons.ipynb"
MAX_SCORE = 10


def solve(notebook: dict) -> dict:
    """Put the instructor's answers into a student's copy, cell by cell (by nbgrader's grade_id)."""
    solution = json.loads((REPO_ROOT / "solutions" / ASSIGNMENT / NOTEBOOK).read_text())
    answers = {
        cell["metadata"]["nbgrader"]["grade_id"]: cell["source"]
        for cell in solution["cells"]
        if cell["metadata"].get("nbgrader", {}).get("solution")
    }
    solved = 0
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
            solved += 1
    assert solved == len(answers) > 0, f"solved {solved} of {len(answers)} answer cells"
    return notebook


def fetch_and_submit(session: LabSession, solve_it: bool) -> None:
    session.open_assignments_tab()
    session.click_in_row("released", ASSIGNMENT, "Fetch")
    session.row("fetched", ASSIGNMENT).get_by_role("button", name="Submit").wait_for()
    if solve_it:
        path = f"{ASSIGNMENT}/{NOTEBOOK}"
        session.write_notebook(path, solve(session.read_notebook(path)))
    session.click_in_row("fetched", ASSIGNMENT, "Submit")
    session.row("submitted", ASSIGNMENT).get_by_role("button", name="Fetch Feedback").wait_for()


def feedback_text(session: LabSession) -> str:
    """Fetch feedback from the Assignments tab, then open the feedback page the student got."""
    session.refresh_assignments()
    session.click_in_row("submitted", ASSIGNMENT, "Fetch Feedback")
    session.row("submitted", ASSIGNMENT).get_by_text("(view feedback)").first.wait_for()
    (timestamp,) = session.listing(f"{ASSIGNMENT}/feedback")
    page = session.context.new_page()
    page.goto(f"{session.server}/files/{ASSIGNMENT}/feedback/{timestamp}/{NOTEBOOK[:-6]}.html")
    text = page.inner_text("body")
    page.close()
    return text


def test_a_class_releases_submits_grades_and_gets_feedback(class_hub: ClassHub, browser):
    hub = class_hub
    started = time.monotonic()
    ada_name, bob_name = hub.students
    teacher, ada, bob = (LabSession(hub, browser, user) for user in (hub.instructor, ada_name, bob_name))
    try:
        # The instructor generates and releases the assignment in formgrader.
        hub.timings["instructor's server"] = teacher.log_in()
        assert "Formgrader" in teacher.nbgrader_menu_items()
        teacher.formgrader_action(ASSIGNMENT, "assign", "Successfully created the student version")
        teacher.formgrader_action(ASSIGNMENT, "release", f"Successfully released '{ASSIGNMENT}'")

        # Students: the Assignments tab, and no grading tools.
        hub.timings["student's server"] = ada.log_in()
        assert ada.nbgrader_menu_items() == ["Assignment List"]
        assert ada.api("GET", "formgrader/api/assignments", expect_ok=False).status == 404
        fetch_and_submit(ada, solve_it=True)
        hub.timings["second student's server"] = bob.log_in()
        fetch_and_submit(bob, solve_it=False)

        # The instructor collects, grades in the sandbox, and releases feedback.
        course = hub.home(hub.instructor) / "course"
        hub.run_as(hub.instructor, ["nbgrader", "collect", ASSIGNMENT], cwd=course)
        graded_at = time.monotonic()
        hub.run_as(hub.instructor, ["python", "-m", "grading", ASSIGNMENT, "--jobs", "2"], cwd=course)
        hub.timings["grading two notebooks"] = time.monotonic() - graded_at
        with open(course / "autograded" / f"{ASSIGNMENT}.csv", newline="") as table:
            rows = {row["student"]: row for row in csv.DictReader(table)}
        assert set(rows) == {ada_name, bob_name}
        assert (rows[ada_name]["status"], float(rows[ada_name]["score"])) == ("graded", MAX_SCORE)
        assert (rows[bob_name]["status"], float(rows[bob_name]["score"])) == ("graded", 0)
        hub.run_as(hub.instructor, ["nbgrader", "generate_feedback", ASSIGNMENT], cwd=course)
        hub.run_as(hub.instructor, ["nbgrader", "release_feedback", ASSIGNMENT], cwd=course)

        # Each student sees their own score, and nothing of the other's.
        ada_feedback, bob_feedback = feedback_text(ada), feedback_text(bob)
        assert re.search(rf"Score:\s*{MAX_SCORE}(\.0)?\s*/\s*{MAX_SCORE}", ada_feedback), ada_feedback[:500]
        assert re.search(rf"Score:\s*0(\.0)?\s*/\s*{MAX_SCORE}", bob_feedback), bob_feedback[:500]
        assert bob_name not in ada_feedback and ada_name not in bob_feedback
        other = ada.page.goto(f"{hub.url}/user/{bob_name}/lab")
        assert other.status == 403, f"Ada opened Bob's server: HTTP {other.status}"
        for private in (hub.home(bob_name), hub.exchange / "inbound", hub.exchange / "feedback"):
            listed = hub.run_as(ada_name, ["ls", str(private)], check=False)
            assert listed.returncode != 0 and "Permission denied" in listed.stderr, (private, listed)

        # A course update pulled with nbgitpuller keeps what the student changed.
        pull_course_update(hub, ada)
    finally:
        for session in (teacher, ada, bob):
            session.close()
    hub.timings["whole test"] = time.monotonic() - started + hub.timings["hub up"]


LECTURE = "02-neurons-and-activations.ipynb"
OTHER_LECTURE = "03-loss-functions.ipynb"


def pull(hub: ClassHub, session: LabSession) -> None:
    link = (
        f"{hub.url}/hub/user-redirect/git-pull?repo=file://{hub.course_repo}"
        f"&branch=main&targetpath=nn-course&urlpath=lab/tree/nn-course/lectures/{LECTURE}"
    )
    session.page.goto(link)
    session.page.wait_for_url(f"**/user/{session.user}/lab/tree/nn-course/**", timeout=60_000)


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text, "id": f"note-{abs(hash(text)) % 10**8}"}


def pull_course_update(hub: ClassHub, student: LabSession) -> None:
    pull(hub, student)
    assert {"lectures", "exercises"} <= set(student.listing("nn-course"))

    # The student writes in a lecture and keeps notes of their own.
    mine = f"nn-course/lectures/{LECTURE}"
    notebook = student.read_notebook(mine)
    notebook["cells"].insert(1, markdown("My note: ReLU's gradient is 0 or 1."))
    notebook["cells"][0]["source"] = "# My own title for this lecture"
    student.write_notebook(mine, notebook)
    student.api(
        "PUT",
        "api/contents/nn-course/my-notes.md",
        data={"type": "file", "format": "text", "content": "questions for Friday"},
    )

    # The course changes the same lecture's first cell (a conflict) and adds to another lecture.
    for name, change in [(LECTURE, "first"), (OTHER_LECTURE, "append")]:
        path = hub.course_source / "lectures" / name
        upstream = json.loads(path.read_text())
        if change == "first":
            upstream["cells"][0]["source"] = "# Neurons and activations (revised)"
        else:
            upstream["cells"].append(markdown("Update: a worked example of the hinge loss."))
        path.write_text(json.dumps(upstream, indent=1) + "\n")
    publish_course(hub.course_source, hub.course_repo, "Revise lectures 2 and 3")

    pull(hub, student)
    kept = student.read_notebook(mine)
    assert kept["cells"][0]["source"] == "# My own title for this lecture"
    assert any("My note: ReLU" in cell["source"] for cell in kept["cells"])
    assert "my-notes.md" in student.listing("nn-course")
    updated = student.read_notebook(f"nn-course/lectures/{OTHER_LECTURE}")
    assert "a worked example of the hinge loss" in updated["cells"][-1]["source"]


def test_bad_input_gets_a_clear_message_and_loses_nothing(class_hub: ClassHub, browser):
    hub = class_hub
    ada_name = hub.students[0]
    ada = LabSession(hub, browser, ada_name)
    try:
        ada.log_in()
        # An assignment that was not released: nbgrader names it and says it was not found (the
        # Assignments tab lists only released ones, and its fetch answers with the list alone).
        fetched = hub.run_as(ada_name, ["nbgrader", "fetch_assignment", "a6_training"], check=False)
        assert fetched.returncode != 0
        assert re.search(
            r"Assignment not found at: \S*/outbound/a6_training", fetched.stdout + fetched.stderr
        )
        assert "a6_training" not in ada.listing("")

        # Submitting again keeps the first submission beside the new one; the latest is collected.
        def submissions():
            listed = ada.api("GET", f"assignments?course_id={hub.course_id}").json()["value"]
            return [
                item
                for item in listed
                if item["status"] == "submitted" and item["assignment_id"] == ASSIGNMENT
            ]

        assert submissions(), "Ada has no submission: the class's round (the first test) did not run"
        before = len(submissions()[0]["submissions"])
        for _ in range(2):
            submitted = ada.api(
                "POST", "assignments/submit", data={"course_id": hub.course_id, "assignment_id": ASSIGNMENT}
            ).json()
            assert submitted["success"], submitted
        assert len(submissions()[0]["submissions"]) == before + 2
        inbound = [
            path.name for path in (hub.exchange / "inbound").iterdir() if path.name.startswith(ada_name + "+")
        ]
        assert len(inbound) == before + 2

        # After the deadline a submission is refused with the deadline, and nothing changes.
        deadlines = hub.exchange / "deadlines.json"
        deadlines.write_text(json.dumps({ASSIGNMENT: "2000-01-01T00:00:00+00:00"}))
        shutil.chown(deadlines, hub.instructor)  # the instructor's file, as if they wrote it
        late = ada.api(
            "POST", "assignments/submit", data={"course_id": hub.course_id, "assignment_id": ASSIGNMENT}
        ).json()
        assert not late["success"]
        reason = late["value"].strip().splitlines()[-1]
        assert f"The deadline of {ASSIGNMENT} was 2000-01-01" in reason and "not taken" in reason, reason
        assert len(submissions()[0]["submissions"]) == before + 2
        assert NOTEBOOK in ada.listing(ASSIGNMENT)
    finally:
        ada.close()

    # A user name that cannot be an account is refused at login, with the rule it broke.
    page = browser.new_page()
    try:
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", "Ann O'Neil")
        page.fill("#password_input", hub.password)
        page.click("#login_submit")
        page.wait_for_load_state()
        text = page.inner_text("body")
        assert "cannot log in" in text and "lowercase letters" in text, text[:500]
    finally:
        page.close()
