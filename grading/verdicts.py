"""Hidden tests in two halves: a probe the student's kernel runs, a verdict only the grader runs.

An instructor writes a test cell in ``solutions/`` as nbgrader expects: visible tests, then a block
between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` that ``generate_assignment``
removes from the students' copy. Inside that block a line ``### VERDICT`` splits the probe from
the verdict::

    check_close("sigmoid(0)", sigmoid(0.0), 0.5)          # visible: a friendly check

    ### BEGIN HIDDEN TESTS
    from grading.probe import report                      # probe: runs in the student's kernel
    INPUTS = [-800.0, -4.25, 0.0, 709.5]
    report("values", sigmoid(np.array(INPUTS)))
    ### VERDICT
    def verdict(values):                                  # verdict: runs in the grader only
        expected = [1 / (1 + math.exp(-t)) for t in INPUTS]
        assert_close("sigmoid", values, expected)
    ### END HIDDEN TESTS

The kernel never sees the verdict (so it cannot read the expected answers or call the check as an
oracle). After the notebook ran, the grader calls ``verdict`` with one keyword argument per value
the probe reported, in its own process, where nothing the student did can reach. The verdict sees
the probe's top-level literal constants (``INPUTS`` above) and whatever it imports itself; the
helpers :func:`floats` and :func:`assert_close` are there without an import. A test passes when its
verdict returns; an ``AssertionError``'s message is what the student reads in the feedback.
"""

from __future__ import annotations

import ast
import inspect
import math
from dataclasses import dataclass, field

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
VERDICT_MARKER = "### VERDICT"


class AuthoringError(ValueError):
    """A test cell in ``solutions/`` that does not follow the probe/verdict form."""


# --- helpers a verdict may use ------------------------------------------------------------------


def floats(value, name: str = "the result") -> list[float]:
    """The numbers in a reported value, flattened; fails with a clear message on anything else."""
    if isinstance(value, bool):
        return [float(value)]
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return [float(value)]
    if isinstance(value, list):
        return [number for item in value for number in floats(item, name)]
    if isinstance(value, dict) and "unsupported" in value:
        raise AssertionError(f"{name}: expected numbers, got a {value['unsupported']}")
    raise AssertionError(f"{name}: expected numbers, got {type(value).__name__} {str(value)[:80]!r}")


def shape(value) -> tuple[int, ...]:
    """The shape of a reported array (nested lists); () for a single number."""
    dims = []
    while isinstance(value, list):
        dims.append(len(value))
        value = value[0] if value else None
    return tuple(dims)


def assert_close(name: str, got, expected, tol: float = 1e-9, same_shape: bool = True) -> None:
    """Fail unless ``got`` has ``expected``'s shape and every number is within ``tol`` (relative).

    ``expected`` is computed by the verdict (numbers, nested lists or an array); ``got`` is what the
    probe reported.
    """
    if hasattr(expected, "tolist"):
        expected = expected.tolist()
    got_numbers, expected_numbers = floats(got, name), floats(expected, name)
    if same_shape and shape(got) != shape(expected):
        raise AssertionError(f"{name}: expected shape {shape(expected)}, got shape {shape(got)}")
    if len(got_numbers) != len(expected_numbers):
        raise AssertionError(f"{name}: expected {len(expected_numbers)} numbers, got {len(got_numbers)}")
    for index, (g, e) in enumerate(zip(got_numbers, expected_numbers)):
        if not math.isfinite(g):
            raise AssertionError(f"{name}: value {index} is {g}, expected {e}")
        if not abs(g - e) <= tol * max(1.0, abs(e)):
            raise AssertionError(f"{name}: value {index} should be {e}, got {g}")


VERDICT_HELPERS = {"floats": floats, "shape": shape, "assert_close": assert_close, "math": math}


# --- splitting a test cell ----------------------------------------------------------------------


@dataclass(frozen=True)
class TestCell:
    """An instructor's test cell, split into what the kernel runs and what the grader runs."""

    kernel_source: str  # visible tests and the probe
    verdict_source: str  # the verdict section, without the marker
    constants: dict = field(default_factory=dict)  # the probe's top-level literal constants


def split_test_cell(source: str, grade_id: str = "test") -> TestCell:
    """Split a test cell at its ``### VERDICT`` line; raises AuthoringError on a malformed cell."""
    lines = source.splitlines()
    stripped = [line.strip() for line in lines]
    begins = [i for i, line in enumerate(stripped) if line == HIDDEN_BEGIN]
    ends = [i for i, line in enumerate(stripped) if line == HIDDEN_END]
    markers = [i for i, line in enumerate(stripped) if line == VERDICT_MARKER]
    if len(begins) != 1 or len(ends) != 1 or not begins[0] < ends[0]:
        raise AuthoringError(
            f"{grade_id}: a graded test cell needs one hidden-test block, found {len(begins)}"
        )
    if len(markers) != 1 or not begins[0] < markers[0] < ends[0]:
        raise AuthoringError(f"{grade_id}: the hidden-test block needs one {VERDICT_MARKER!r} line inside it")
    begin, marker, end = begins[0], markers[0], ends[0]
    kernel_lines = lines[:marker] + lines[end:]
    verdict_source = "\n".join(lines[marker + 1 : end])
    probe_source = "\n".join(lines[begin + 1 : marker])
    try:
        verdict_tree = ast.parse(verdict_source)
        probe_tree = ast.parse(probe_source)
    except SyntaxError as error:
        raise AuthoringError(f"{grade_id}: {error}") from None
    if not any(isinstance(node, ast.FunctionDef) and node.name == "verdict" for node in verdict_tree.body):
        raise AuthoringError(f"{grade_id}: the verdict section must define a function `verdict`")
    return TestCell("\n".join(kernel_lines), verdict_source, literal_constants(probe_tree))


def literal_constants(tree: ast.Module) -> dict:
    """``NAME = <literal>`` statements at the top level of a probe, as a dict."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
    return constants


# --- judging ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    passed: bool
    message: str


def reports_in(outputs, mime_type: str) -> dict[str, list]:
    """Every value reported in a cell's outputs, by name (a list, since a name may come twice)."""
    found: dict[str, list] = {}
    for output in outputs:
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue
        record = output.get("data", {}).get(mime_type)
        if isinstance(record, dict) and isinstance(record.get("name"), str) and "value" in record:
            found.setdefault(record["name"], []).append(record["value"])
    return found


def judge(test: TestCell, reported: dict[str, list], grade_id: str = "test") -> Judgement:
    """Run ``test``'s verdict on the values the probe reported, in this (the grader's) process."""
    namespace = dict(VERDICT_HELPERS)
    namespace.update(test.constants)
    exec(compile(test.verdict_source, f"<verdict of {grade_id}>", "exec"), namespace)  # instructor's code
    verdict = namespace["verdict"]
    arguments = {}
    for name in inspect.signature(verdict).parameters:
        values = reported.get(name, [])
        if not values:
            return Judgement(
                False, f"the hidden test stopped before it reported {name!r} (see the error above)"
            )
        if len(values) > 1:
            return Judgement(False, f"{name!r} was reported {len(values)} times; a test reports it once")
        arguments[name] = values[0]
    try:
        verdict(**arguments)
    except AssertionError as error:
        return Judgement(False, str(error) or "a hidden test failed")
    except (RecursionError, MemoryError):
        return Judgement(False, "the reported result was too large or too deeply nested to check")
    except Exception as error:  # the data did not have the form the verdict expects
        return Judgement(False, f"the result could not be checked ({type(error).__name__}: {error})")
    return Judgement(True, "hidden tests passed")
