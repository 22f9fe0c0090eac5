"""Hidden tests split into probe and verdict (grading.verdicts), and the probe's plain data."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib
from grading.probe import MIME_TYPE, plain
from grading.verdicts import AuthoringError, assert_close, floats, judge, reports_in, split_test_cell

CELL = """\
check_close("visible", f(1.0), 2.0)
### BEGIN HIDDEN TESTS
from grading.probe import report
_INPUTS = [1.5, -2.0]
_computed = [f(v) for v in _INPUTS]
report("values", _computed)
### VERDICT
def verdict(values):
    assert_close("f", values, [2 * v for v in _INPUTS])
### END HIDDEN TESTS"""


def test_the_kernel_part_keeps_visible_tests_and_probe_but_no_verdict():
    test = split_test_cell(CELL)
    assert "check_close" in test.kernel_source and 'report("values"' in test.kernel_source
    assert "def verdict" not in test.kernel_source and "2 * v" not in test.kernel_source
    assert test.kernel_source.rstrip().endswith("### END HIDDEN TESTS")
    assert test.constants == {"_INPUTS": [1.5, -2.0]}  # _computed is not a literal: not shared


@pytest.mark.parametrize(
    "source, problem",
    [
        ("x = 1", "one hidden-test block"),
        (CELL.replace("### VERDICT\n", ""), "VERDICT"),
        (CELL.replace("### VERDICT", "### VERDICT\n### VERDICT"), "VERDICT"),
        (CELL.replace("def verdict(values)", "def check(values)"), "must define a function `verdict`"),
        (CELL.replace("def verdict(values):", "def verdict(values)"), "test"),
    ],
)
def test_malformed_test_cells_are_authoring_errors(source, problem):
    with pytest.raises(AuthoringError, match=problem):
        split_test_cell(source, "test")


def outputs(*records):
    return [{"output_type": "display_data", "data": {MIME_TYPE: r, "text/plain": ""}} for r in records]


@pytest.mark.parametrize(
    "records, passed, message",
    [
        ([{"name": "values", "value": [3.0, -4.0]}], True, "passed"),
        ([{"name": "values", "value": [3.0, -4.5]}], False, "value 1 should be -4.0, got -4.5"),
        ([], False, "stopped before it reported 'values'"),
        ([{"name": "values", "value": [3.0, -4.0]}] * 2, False, "reported 2 times"),
        (
            [{"name": "values", "value": [3.0, -4.5]}, {"name": "values", "value": [3.0, -4.0]}],
            False,
            "2 times",
        ),
        ([{"name": "values", "value": [3.0, "nan"]}], False, "value 1 is nan"),
        ([{"name": "values", "value": {"unsupported": "Liar"}}], False, "got a Liar"),
        ([{"name": "values", "value": [[3.0], [-4.0]]}], False, "shape"),
        ([{"name": "values", "value": "3, -4"}], False, "expected numbers"),
        ([{"name": "other", "value": [3.0, -4.0]}], False, "stopped before"),
        ([{"name": "values"}], False, "stopped before"),  # a record without a value is no report
    ],
)
def test_only_the_right_values_reported_once_pass(records, passed, message):
    judgement = judge(split_test_cell(CELL), reports_in(outputs(*records), MIME_TYPE))
    assert judgement.passed is passed
    assert message in judgement.message


def test_a_verdict_that_cannot_read_the_data_fails_instead_of_passing():
    cell = CELL.replace('assert_close("f", values, [2 * v for v in _INPUTS])', "assert values[0]['x'] > 0")
    judgement = judge(split_test_cell(cell), reports_in(outputs({"name": "values", "value": [1]}), MIME_TYPE))
    assert not judgement.passed and "could not be checked" in judgement.message


def test_reports_elsewhere_than_display_outputs_do_not_count():
    stream = [{"output_type": "stream", "name": "stdout", "text": str({MIME_TYPE: {"name": "values"}})}]
    assert reports_in(stream, MIME_TYPE) == {}


def test_floats_and_assert_close_reject_what_is_not_numbers():
    assert floats([[1, 2.5], [True]]) == [1.0, 2.5, 1.0]
    for bad in ["1.0", None, {"a": 1}, [1, "x"]]:
        with pytest.raises(AssertionError):
            floats(bad)
    assert_close("x", [1.0, 2.0], np.array([1.0, 2.0 + 1e-12]))
    with pytest.raises(AssertionError, match="value 0 is inf"):
        assert_close("x", ["inf"], [1.0])


def test_the_probe_reduces_arrays_tensors_and_scalars_to_plain_data():
    assert plain(np.array([[1.0, np.nan], [np.inf, -np.inf]])) == [[1.0, "nan"], ["inf", "-inf"]]
    assert plain(nnlib.Tensor([1.0, 2.0])) == [1.0, 2.0]
    assert plain((np.float32(1.5), np.int64(3), np.bool_(True), None, "s")) == [1.5, 3, True, None, "s"]
    assert plain({1: np.arange(2)}) == {"1": [0, 1]}
    assert plain(object()) == {"unsupported": "object"}
    nested = []
    for _ in range(40):
        nested = [nested]
    with pytest.raises(ValueError, match="levels deep"):
        plain(nested)
