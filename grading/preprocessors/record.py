"""The grading record a notebook carries through nbgrader's two passes (sanitize, then autograde).

nbgrader writes the sanitized notebook to ``autograded/`` and reads it back for the autograde
pass, so what one preprocessor learns reaches the next in the notebook's own metadata, under
``metadata["grading"]``. The first preprocessor (:class:`~grading.preprocessors.ClearOutput`)
empties it, so nothing a student put there survives.
"""

from __future__ import annotations

KEY = "grading"


def fresh_record() -> dict:
    return {"status": "", "notes": [], "flags": [], "tests": {}, "run": {}}


def record_of(nb) -> dict:
    """The notebook's grading record (created empty if missing or malformed)."""
    record = nb.metadata.get(KEY)
    if not isinstance(record, dict) or set(record) != set(fresh_record()):
        record = nb.metadata[KEY] = fresh_record()
    return record


def nbgrader_metadata(cell) -> dict:
    """A cell's nbgrader metadata, or {} when absent or not a mapping."""
    metadata = cell.get("metadata", {}).get("nbgrader", {})
    return metadata if isinstance(metadata, dict) else {}


def is_autograded_test(cell) -> bool:
    """A locked code cell worth points (nbgrader's grade cell that is not an answer)."""
    meta = nbgrader_metadata(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")
