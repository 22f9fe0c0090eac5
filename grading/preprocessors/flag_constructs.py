"""Name the constructs in a student's own cells that a person may want to look at."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from grading.flags import integrity_flags, read_master
from grading.preprocessors.record import record_of


class FlagConstructs(NbGraderPreprocessor):
    """Record :func:`grading.flags.integrity_flags` of the sanitized notebook (a hint, no points).

    Runs after ``OverwriteCells``, so locked cells already hold the instructor's source and every
    other code cell is the student's.
    """

    def preprocess(self, nb, resources):
        record = record_of(nb)
        try:
            master = read_master(resources["nbgrader"]["notebook"], nb)
            record["flags"] = sorted({str(flag) for flag in integrity_flags(nb, master)})
        except (RecursionError, MemoryError, ValueError, TypeError, KeyError) as error:
            record["flags"] = [f"unparsed-cell(the static look failed: {type(error).__name__})"]
        return nb, resources
