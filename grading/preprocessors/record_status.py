"""Settle a notebook's status and put it, with the flags, where instructors look."""

from __future__ import annotations

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.preprocessors.record import nbgrader_metadata, record_of

# From most to least severe: a notebook's status is the most severe that applies.
STATUSES = [
    "grader error",
    "unreadable",
    "not submitted",
    "kernel died",
    "timed out",
    "needs manual grading",
    "graded",
]


def settle_status(record: dict, needs_manual_grade: bool) -> str:
    """The status of a graded notebook, from its grading record (see ``record``)."""
    run = record.get("run", {})
    statuses = {"graded"}
    if run.get("timed_out") or run.get("timed_out_cells") or run.get("status") == "timed out":
        statuses.add("timed out")
    if run.get("status") == "kernel died":
        statuses.add("kernel died")
    elif str(run.get("status", "")).startswith(("runner failed", "no result")):
        statuses.add("grader error")
    if any(note.startswith("not graded") for note in record["notes"]):
        statuses.add("grader error")
    if needs_manual_grade:
        statuses.add("needs manual grading")
    return min(statuses, key=STATUSES.index)


def summary(record: dict) -> str:
    """One paragraph for the gradebook: status, flags and notes."""
    parts = [f"Grader status: {record['status']}."]
    if record["flags"]:
        parts.append("Flags for a person to look at: " + "; ".join(record["flags"]) + ".")
    parts += [note + "." for note in record["notes"]]
    return " ".join(parts)


class RecordStatus(NbGraderPreprocessor):
    """Store the notebook's status and flags in the gradebook (comment, flag) and in the notebook.

    The comment goes to the first answer cell, where formgrader and the feedback show it; a
    notebook that is not plainly "graded", or has flags, is flagged for formgrader.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        record = record_of(nb)
        with Gradebook(info["db_url"]) as gradebook:
            submitted = gradebook.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"]
            )
            needs_manual = any(grade.needs_manual_grade for grade in submitted.grades)
            record["status"] = settle_status(record, needs_manual)
            submitted.flagged = record["status"] != "graded" or bool(record["flags"])
            answers = [c for c in nb.cells if nbgrader_metadata(c).get("solution")]
            if answers:
                comment = gradebook.find_comment(
                    nbgrader_metadata(answers[0])["grade_id"],
                    info["notebook"],
                    info["assignment"],
                    info["student"],
                )
                comment.auto_comment = "\n\n".join(filter(None, [comment.auto_comment, summary(record)]))
            gradebook.db.commit()
        return nb, resources
