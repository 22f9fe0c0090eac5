"""Keep one cell per nbgrader id, and drop nbgrader metadata that is not well formed."""

from __future__ import annotations

import functools
import json
import math

import nbformat
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.preprocessors.record import record_of

FLAG_FIELDS = ("grade", "solution", "locked", "task")
MAX_CACHED_METADATA = 2000  # characters of JSON; bounds the cache's memory whatever students send


def _well_formed(cell) -> bool:
    """Whether a cell's nbgrader metadata has the types and fields nbgrader's schema asks for."""
    try:
        key = json.dumps(cell.metadata["nbgrader"], sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):  # not plain JSON data (NaN points, say): malformed
        return False
    if len(key) > MAX_CACHED_METADATA:  # no instructor's cell has that much: never cached
        return _metadata_well_formed.__wrapped__(cell.cell_type, key)
    return _metadata_well_formed(cell.cell_type, key)


@functools.lru_cache(maxsize=1024)
def _metadata_well_formed(cell_type: str, metadata_json: str) -> bool:
    """:func:`_well_formed` for one (cell type, metadata) pair, cached: the instructor's metadata
    recurs in every submission, and nbgrader's schema check costs milliseconds a cell."""
    cell = {"cell_type": cell_type, "source": "", "metadata": {"nbgrader": json.loads(metadata_json)}}
    cell = nbformat.from_dict(cell)
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
        validator.validate_cell(validator.upgrade_cell_metadata(cell))
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
