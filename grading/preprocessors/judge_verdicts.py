"""Decide every test cell from its verdict, in the grader's process, and nothing else."""

from __future__ import annotations

from nbformat.v4 import new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.preprocessors.record import is_autograded_test, nbgrader_metadata, record_of
from grading.probe import MIME_TYPE
from grading.verdicts import AuthoringError, judge, reports_in, split_test_cell

MAX_MESSAGE = 500


def neutral(output):
    """An output as the student's kernel produced it, made unable to sway nbgrader's score.

    nbgrader scores a test cell 0 on an error or stderr output and reads a number in a result as
    partial credit; here only the verdict decides, so the kernel's outputs become plain text
    and displays that still show what happened.
    """
    kind = output.get("output_type")
    if kind == "error":
        return new_output("stream", name="stdout", text=f"{output.get('ename')}: {output.get('evalue')}\n")
    if kind == "stream" and output.get("name") == "stderr":
        return new_output("stream", name="stdout", text=output.get("text", ""))
    if kind == "execute_result":
        return new_output("display_data", data=output.get("data", {}), metadata=output.get("metadata", {}))
    return output


class JudgeVerdicts(NbGraderPreprocessor):
    """Run each test cell's verdict on what its probe reported; write the decision as its output.

    Runs after the sandboxed execution and before nbgrader's ``SaveAutoGrades``. The verdict's
    source comes from the gradebook (the instructor's cell), the reported values from the cell's
    outputs. A cell's outputs become the kernel's outputs made neutral (:func:`neutral`), then,
    if the verdict failed, one error output with its message: so ``SaveAutoGrades`` gives full
    points exactly when the verdict passed.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        record = record_of(nb)
        with Gradebook(info["db_url"]) as gradebook:
            for cell in nb.cells:
                if not is_autograded_test(cell):
                    continue
                grade_id = nbgrader_metadata(cell)["grade_id"]
                master = gradebook.find_source_cell(grade_id, info["notebook"], info["assignment"]).source
                passed, message = self.decide(master, grade_id, cell.get("outputs", []), record)
                record["tests"][grade_id] = {"passed": passed, "message": message}
                cell.outputs = [
                    neutral(o) for o in cell.get("outputs", []) if MIME_TYPE not in o.get("data", {})
                ]
                if passed:
                    cell.outputs.append(new_output("stream", name="stdout", text="hidden tests: passed\n"))
                else:
                    error = new_output("error", ename="HiddenTestFailed", evalue=message, traceback=[message])
                    cell.outputs.append(error)
        return nb, resources

    @staticmethod
    def decide(master_source: str, grade_id: str, outputs, record) -> tuple[bool, str]:
        try:
            test = split_test_cell(master_source, grade_id)
        except AuthoringError as error:
            record["notes"].append(f"not graded, the instructor's test is malformed: {error}")
            return False, "this test could not be graded; the instructor was told"
        judgement = judge(test, reports_in(outputs, MIME_TYPE), grade_id)
        return judgement.passed, judgement.message[:MAX_MESSAGE]
