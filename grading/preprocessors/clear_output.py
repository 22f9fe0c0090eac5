"""Step 1 of sanitizing: clear outputs and any grading record the submission carries."""

from __future__ import annotations

from nbgrader.preprocessors import ClearOutput as NbgraderClearOutput

from grading.preprocessors.record import KEY, fresh_record


class ClearOutput(NbgraderClearOutput):
    """nbgrader's ClearOutput, plus a fresh ``metadata["grading"]`` record (see ``record``)."""

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        nb.metadata[KEY] = fresh_record()
        return nb, resources
