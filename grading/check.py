"""Check an exercise notebook the way grading runs it, from a student's install.

Usage::

    python -m grading.check exercises/a1_neurons/activations_and_neurons.ipynb

The saved notebook runs top to bottom in a fresh kernel, started in an empty folder, with the
grader's own runner (:mod:`grading.sandbox.runner`) and its time limits: 60 s per cell, and for the
whole notebook 60 s per code cell plus 30 s. What grading adds is the sandbox (which needs
bubblewrap, an instructor's tool) and the hidden tests. The report names each part of the exercise
and says, for every visible test, whether it passed, and if not what was expected and what came
back, or which of your cells stopped with which error.

Exit status: 0 when every visible test passed, 1 when one did not (or a cell failed), 2 when the
notebook could not be checked at all (a wrong path, not a course exercise).

This module needs only the student install (``requirements.txt``): no nbgrader, no ``nbgrader``
command on the PATH, no JupyterLab extension.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# The grader's limits (nbgrader_config.py: SandboxedExecute.timeout and its startup allowance).
CELL_TIMEOUT = 60
STARTUP_SECONDS = 30
MAX_MESSAGE_LINES = 12
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class CheckError(ValueError):
    """The notebook cannot be checked: the message says why and what was expected."""


@dataclass
class Finding:
    """What happened in one cell that matters: a test's outcome, or an error in another cell."""

    part: str
    cell: str  # the cell's grade_id, or "cell N"
    kind: str  # "passed", "failed", "not answered", "error", "timed out", "changed"
    message: str = ""
    points: float = 0.0

    def lines(self) -> list[str]:
        label = {"passed": "ok", "failed": "FAILED", "not answered": "TODO"}.get(self.kind, self.kind.upper())
        what = (
            f"test `{self.cell}`"
            if self.kind in ("passed", "failed", "not answered")
            else f"cell `{self.cell}`"
        )
        head = f"  {label:<8}{self.part}: {what}"
        if self.kind == "passed":
            return [head]
        body = self.message.strip().splitlines() or [""]
        if len(body) > MAX_MESSAGE_LINES:
            body = body[:MAX_MESSAGE_LINES] + ["..."]
        return [head] + [f"          {line}" for line in body]


@dataclass
class Report:
    """The outcome of checking one notebook."""

    notebook: Path
    findings: list[Finding] = field(default_factory=list)
    status: str = "ran"  # the runner's status: "ran", "kernel died", "timed out", ...
    seconds: float = 0.0

    @property
    def tests(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in ("passed", "failed", "not answered")]

    @property
    def passed(self) -> bool:
        return self.status == "ran" and bool(self.tests) and all(f.kind == "passed" for f in self.findings)

    def format(self) -> str:
        tests = self.tests
        passed = [f for f in tests if f.kind == "passed"]
        lines = [
            f"Checked {self.notebook} as grading runs it: a fresh kernel, top to bottom "
            f"({self.seconds:.0f} s).",
            "",
        ]
        for finding in self.findings:
            lines += finding.lines()
        if self.status != "ran":
            lines += ["", f"The run did not finish: {self.status}. Grading would stop there too."]
        total = sum(f.points for f in tests)
        earned = sum(f.points for f in passed)
        lines += [
            "",
            f"Visible tests: {len(passed)} of {len(tests)} passed ({earned:g} of {total:g} points).",
        ]
        if self.passed:
            lines.append(
                "All visible tests pass. Grading also runs hidden tests on other inputs: make sure your "
                "code works for any input the task allows, not only for these."
            )
        else:
            lines.append("Fix the first problem above, save the notebook, and check again.")
        return "\n".join(lines)


def _grading_info(cell) -> dict:
    info = cell.get("metadata", {}).get("nbgrader", {})
    return info if isinstance(info, dict) else {}


def nbgrader_checksum(cell) -> str:
    """The checksum nbgrader stores in a locked cell's metadata, computed without nbgrader.

    Written out here because students do not install nbgrader; the tests compare it with
    ``nbgrader.utils.compute_checksum`` on every cell of every exercise.
    """
    info = _grading_info(cell)
    grade, solution = bool(info.get("grade", False)), bool(info.get("solution", False))
    locked = False if solution else (True if grade else bool(info.get("locked", False)))
    digest = hashlib.md5()
    for part in (cell.source, cell.cell_type, str(grade), str(solution), str(locked), info["grade_id"]):
        digest.update(part.encode("utf-8"))
    if grade:
        digest.update(str(float(info["points"])).encode("utf-8"))
    return digest.hexdigest()


def _part_titles(notebook) -> list[str]:
    """For each cell, the last markdown heading at or above it ("1.5 One neuron computes AND ...")."""
    title, titles = "start of the notebook", []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            headings = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
            if headings:
                title = headings[-1]
        titles.append(title)
    return titles


def read_exercise(path: Path):
    """Read an exercise notebook; CheckError, saying what was expected, if it is not one."""
    if not path.exists():
        hint = ""
        exercises = sorted(Path("exercises").glob("*/*.ipynb")) if Path("exercises").is_dir() else []
        if exercises:
            hint = "\nThe course's exercises are:\n" + "\n".join(f"  {p}" for p in exercises)
        raise CheckError(
            f"there is no file {path}: expected the path of an exercise notebook (.ipynb).{hint}"
        )
    if path.is_dir():
        notebooks = sorted(path.glob("*.ipynb"))
        hint = f" such as {notebooks[0]}" if notebooks else ""
        raise CheckError(f"{path} is a folder: expected the path of an exercise notebook{hint}")
    if path.suffix != ".ipynb":
        raise CheckError(f"{path} is not a notebook: expected a .ipynb file from the course's exercises/")
    try:
        notebook = nbformat.read(path, as_version=4)
    except (
        ValueError,
        OSError,
        UnicodeDecodeError,
    ) as error:  # nbformat's reader raises ValueError subclasses
        raise CheckError(f"{path} could not be read as a notebook ({error}); is the file damaged?") from None
    graded = [cell for cell in notebook.cells if _grading_info(cell).get("grade")]
    if not graded:
        looks_like_one = any(
            "raise NotImplementedError" in cell.source or "check_close(" in cell.source
            for cell in notebook.cells
        )
        if looks_like_one:
            raise CheckError(
                f"{path} has lost the cell metadata grading relies on (an editor outside JupyterLab may "
                "have stripped it), so grading would give it 0 points. Copy your answers into a fresh "
                "copy of the exercise from the course's exercises/ folder, open it in JupyterLab, and "
                "check that copy."
            )
        raise CheckError(
            f"{path} is not one of the course's exercises: it has no graded test cells. "
            "Check a notebook from the exercises/ folder, e.g. exercises/a1_neurons/<name>.ipynb."
        )
    return notebook


def _error_text(output) -> str:
    """A readable message for an error output: the assertion's own words, or the end of a traceback."""
    name, value = output.get("ename", "Error"), output.get("evalue", "")
    if name == "AssertionError" and value:
        return value
    if name in ("SyntaxError", "IndentationError", "TabError"):
        traceback = [ANSI_ESCAPE.sub("", line) for line in output.get("traceback", [])]
        text = "\n".join(traceback).strip().splitlines()
        return "\n".join(text[-6:])
    return f"{name}: {value}"


def _first_error(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def findings_of(notebook, executed_cells: list[dict], timed_out: list[int]) -> list[Finding]:
    """Turn the executed cells into findings, in notebook order."""
    titles = _part_titles(notebook)
    findings = []
    for index, (cell, executed) in enumerate(zip(notebook.cells, executed_cells)):
        info = _grading_info(cell)
        name = info.get("grade_id") or f"cell {index + 1}"
        part = titles[index]
        if "checksum" in info and info.get("locked") and "grade_id" in info:
            if nbgrader_checksum(cell) != info["checksum"]:
                findings.append(
                    Finding(
                        part,
                        name,
                        "changed",
                        "this cell is locked and was changed: grading runs the original instead. "
                        "Undo your change (Edit > Undo, or copy the cell from a fresh copy of the exercise).",
                    )
                )
        if cell.cell_type != "code":
            continue
        error = _first_error(executed)
        points = float(info.get("points", 0) or 0)
        if index in timed_out:
            findings.append(
                Finding(part, name, "timed out", f"stopped after {CELL_TIMEOUT} s, as grading stops it")
            )
        elif info.get("grade"):
            if error is None:
                findings.append(Finding(part, name, "passed", points=points))
            elif error.get("ename") == "NotImplementedError":
                findings.append(
                    Finding(
                        part,
                        name,
                        "not answered",
                        "the answer above still raises NotImplementedError: replace it by your code",
                        points,
                    )
                )
            else:
                findings.append(Finding(part, name, "failed", _error_text(error), points))
        elif error is not None:
            if error.get("ename") == "NotImplementedError" and info.get("solution"):
                continue  # its test reports it as not answered
            findings.append(Finding(part, name, "error", _error_text(error)))
    return findings


def check_notebook(path: Path, cell_timeout: int = CELL_TIMEOUT) -> Report:
    """Run an exercise notebook as grading does and report on its visible tests.

    Parameters
    ----------
    path : Path
        An exercise notebook (``exercises/<assignment>/<name>.ipynb`` or a student's copy).
    cell_timeout : int
        Seconds one cell may run before it is interrupted.

    Raises
    ------
    CheckError
        If ``path`` is missing, not a notebook, or not one of the course's exercises.
    """
    from grading import sandbox  # imports nnlib: only once the input is known to be good

    path = Path(path)
    notebook = read_exercise(path)
    code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    deadline = cell_timeout * max(code_cells, 1) + STARTUP_SECONDS
    started = time.monotonic()
    run = sandbox.run_notebook(nbformat.writes(notebook), cell_timeout, deadline, isolated=False)
    report = Report(path, seconds=time.monotonic() - started)
    try:
        result = json.loads(run.output)
    except ValueError:
        result = None
    if not isinstance(result, dict) or len(result.get("cells", [])) != len(notebook.cells):
        report.status = "timed out" if run.timed_out else f"the kernel could not run it ({run.errors[-300:]})"
        return report
    report.status = result["status"]
    report.findings = findings_of(notebook, result["cells"], result.get("timed_out_cells", []))
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grading.check",
        description="Check an exercise notebook the way grading runs it: top to bottom in a fresh "
        "kernel, with its visible tests. Save the notebook first: the saved file is checked.",
    )
    parser.add_argument(
        "notebook", type=Path, help="the exercise notebook, e.g. exercises/a1_neurons/<name>.ipynb"
    )
    args = parser.parse_args(argv)
    try:
        report = check_notebook(args.notebook)
    except CheckError as error:
        print(f"cannot check: {error}", file=sys.stderr)
        return 2
    print(report.format())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
