"""Run the notebook in its sandbox; bring back only the cells' outputs."""

from __future__ import annotations

import json

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from grading import sandbox
from grading.preprocessors.record import record_of

MAX_OUTPUTS_PER_CELL = 200


def _valid_output(output) -> bool:
    try:
        nbformat.validate(output, ref="output", version=4, version_minor=5)
    except (nbformat.ValidationError, RecursionError):
        return False
    return True


class SandboxedExecute(NbGraderPreprocessor):
    """Replaces nbgrader's Execute: the kernel runs in a bubblewrap sandbox (``grading.sandbox``).

    The notebook's whole run gets a time budget derived from the instructor's notebook (never from
    the submission's own cell count): ``timeout`` seconds for each code cell of the instructor's
    version, plus ``startup`` seconds; ``notebook_timeout`` overrides it. At the deadline every
    process of the sandbox is killed. Of what comes back only well-formed outputs are kept, cell by
    cell; sources and metadata stay the ones nbgrader prepared.
    """

    timeout = Integer(60, help="Seconds one cell may run before it is interrupted.").tag(config=True)
    notebook_timeout = Integer(
        0, help="Seconds for the whole notebook; 0: timeout x the instructor's code cells + startup."
    ).tag(config=True)
    startup = Integer(30, help="Seconds added to the derived budget for starting the kernel.").tag(
        config=True
    )
    memory_limit = Integer(4 * 2**30, help="Bytes of address space per process.").tag(config=True)
    unsafe_no_sandbox = Bool(
        False, help="Run notebooks without isolation (only to try things on your own machine)."
    ).tag(config=True)

    def budget(self, resources) -> int:
        if self.notebook_timeout:
            return self.notebook_timeout
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            source_cells = gradebook.find_notebook(info["notebook"], info["assignment"]).source_cells
            code_cells = sum(cell.cell_type == "code" for cell in source_cells)
        return self.timeout * max(code_cells, 1) + self.startup

    def preprocess(self, nb, resources):
        record = record_of(nb)
        budget = self.budget(resources)
        limits = sandbox.Limits(memory=self.memory_limit)
        run = sandbox.run_notebook(
            nbformat.writes(nb), self.timeout, budget, limits, isolated=not self.unsafe_no_sandbox
        )
        record["run"] = {"seconds": round(run.seconds, 2), "budget": budget, "timed_out": run.timed_out}
        if self.unsafe_no_sandbox:
            record["notes"].append("UNSAFE: run without a sandbox (--unsafe-no-sandbox)")
        if run.output_too_large:
            record["notes"].append("the notebook's output exceeded the size limit; its outputs were dropped")
        result = self._parse(run.output, len(nb.cells))
        if result is None:
            record["run"]["status"] = "no result" if not run.timed_out else "timed out"
            self.log.warning("the sandbox returned no result; its runner said: %s", run.errors[-500:])
            return nb, resources
        record["run"]["status"] = result["status"]
        record["run"]["timed_out_cells"] = [
            i for i in result.get("timed_out_cells", []) if isinstance(i, int)
        ]
        truncated = 0
        for cell, executed in zip(nb.cells, result["cells"]):
            if cell.cell_type != "code" or not isinstance(executed, dict):
                continue
            outputs = executed.get("outputs")
            if isinstance(outputs, list):
                truncated += len(outputs) > MAX_OUTPUTS_PER_CELL
                kept = outputs[:MAX_OUTPUTS_PER_CELL]  # bounds the grader's own work on them
                cell.outputs = [nbformat.from_dict(o) for o in kept if _valid_output(o)]
            count = executed.get("execution_count")
            cell.execution_count = count if isinstance(count, int) and not isinstance(count, bool) else None
        if truncated:
            record["notes"].append(f"outputs beyond the first {MAX_OUTPUTS_PER_CELL} of a cell were dropped")
        return nb, resources

    @staticmethod
    def _parse(output: bytes, cell_count: int):
        """The runner's JSON, if it is a well-formed result for a notebook of ``cell_count`` cells."""
        try:
            result = json.loads(output)
        except (ValueError, RecursionError):
            return None
        if not isinstance(result, dict) or not isinstance(result.get("cells"), list):
            return None
        if len(result["cells"]) != cell_count or not isinstance(result.get("status"), str):
            return None
        result["status"] = result["status"][:200]
        if not isinstance(result.get("timed_out_cells"), list):
            result["timed_out_cells"] = []
        return result
