"""Take the verdicts out of the test cells before the student's kernel sees them."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from grading.preprocessors.record import is_autograded_test, nbgrader_metadata, record_of
from grading.verdicts import AuthoringError, split_test_cell


class StripVerdicts(NbGraderPreprocessor):
    """Replace each test cell's source by its visible tests and probe (``grading.verdicts``).

    Runs after ``OverwriteCells`` has restored the instructor's test source (and put back test
    cells the student deleted, which it notes). The verdicts stay in the gradebook;
    :class:`~grading.preprocessors.JudgeVerdicts` reads them from there.
    """

    def preprocess_cell(self, cell, resources, index):
        if not is_autograded_test(cell):
            return cell, resources
        grade_id = nbgrader_metadata(cell)["grade_id"]
        if "was missing from the submission" in cell.source.partition("\n")[0]:  # OverwriteCells' note
            resources.setdefault("restored_tests", []).append(grade_id)
        try:
            cell.source = split_test_cell(cell.source, grade_id).kernel_source
        except AuthoringError as error:
            cell.source = "raise RuntimeError('this test cannot be graded; the instructor was told')"
            resources.setdefault("grading_errors", []).append(str(error))
        return cell, resources

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        record = record_of(nb)
        record["notes"].extend(resources.pop("grading_errors", []))
        restored = resources.pop("restored_tests", [])
        if restored:
            record["notes"].append(
                f"test cells missing from the submission were put back: {', '.join(restored)}"
            )
        return nb, resources
