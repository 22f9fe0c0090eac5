"""Keep one cell per nbgrader id, and drop nbgrader metadata that is not well formed."""

from __future__ import annotations

import copy
import math

from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.preprocessors.record import record_of

FLAG_FIELDS = ("grade", "solution", "locked", "task")


def _well_formed(cell) -> bool:
    """Whether a cell's nbgrader metadata has the types and fields nbgrader's schema asks for."""
    meta = cell.metadata["nbgrader"]
    if not isinstance(meta, dict) or not isinstance(meta.get("grade_id"), str):
        return False
    if any(not isinstance(meta.get(name, False), bool) for name in FLAG_FIELDS):
        return False
    points = meta.get("points", 0)
    if points is not None and (not isinstance(points, (int, float)) or isinstance(points, bool)):
        return False
    if points is not None and not (math.isfinite(points) and points >= 0):
        return False
    validator = MetadataValidator()
    try:
        validator.validate_cell(validator.upgrade_cell_metadata(copy.deepcopy(cell)))
    except Exception:  # nbgrader's own checks, whatever they raise on a malformed cell
        return False
    return True


class DeduplicateIds(NbGraderPreprocessor):
    """Replaces nbgrader's DeduplicateIds for submissions, which may be malformed on purpose.

    Of several cells sharing a ``grade_id`` only the last keeps it (as nbgrader intends); the
    others, and cells whose nbgrader metadata is not well formed (an id that is a list, a flag
    that is a string), lose their nbgrader metadata entirely and become ordinary cells. nbgrader's
    own version leaves an empty dict behind, which its schema check then rejects, failing the
    whole notebook.
    """

    def preprocess(self, nb, resources):
        record = record_of(nb)
        seen, duplicated, malformed = set(), set(), 0
        for cell in reversed(nb.cells):
            if "nbgrader" not in cell.get("metadata", {}):
                continue
            meta = cell.metadata["nbgrader"]
            if not _well_formed(cell):
                del cell.metadata["nbgrader"]
                malformed += 1
            elif meta["grade_id"] in seen:
                del cell.metadata["nbgrader"]
                duplicated.add(meta["grade_id"])
            else:
                seen.add(meta["grade_id"])
        if duplicated:
            record["notes"].append(
                f"cells copied with their ids kept only the last copy: {', '.join(sorted(duplicated))}"
            )
        if malformed:
            record["notes"].append(
                f"{malformed} cell(s) with malformed nbgrader metadata were run as plain cells"
            )
        return nb, resources
