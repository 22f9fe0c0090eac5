"""Under CI a test cannot pass by skipping: tests/conftest.py turns every skip into a failure."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
TESTS = Path(__file__).resolve().parent
SKIPPING = """
import pytest

def test_skips():
    pytest.skip("a tool is missing")

def test_imports_or_skips():
    pytest.importorskip("a_module_that_is_not_installed")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
"""
OVER_NOTHING = """
import pytest

@pytest.mark.parametrize("value", [])
def test_over_nothing(value):
    pass
"""


@pytest.fixture
def project(pytester):
    for name in ("conftest.py", "ci.py"):
        pytester.makepyfile(**{name.removesuffix(".py"): (TESTS / name).read_text()})
    pytester.makeini("[pytest]\nempty_parameter_set_mark = fail_at_collect\n")
    pytester.makepyfile(test_skipping=SKIPPING, test_over_nothing=OVER_NOTHING)
    return pytester


def test_skips_fail_under_ci_and_stay_skips_elsewhere(project, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    outside = project.runpytest_subprocess("-p", "no:cacheprovider", "test_skipping.py")
    outside.assert_outcomes(skipped=2, xfailed=1)

    monkeypatch.setenv("CI", "true")
    under_ci = project.runpytest_subprocess("-p", "no:cacheprovider", "test_skipping.py")
    under_ci.assert_outcomes(failed=2, xfailed=1)
    under_ci.stdout.fnmatch_lines(["*skipped under CI*a tool is missing*"])


def test_a_parametrization_over_nothing_fails_at_collection(project):
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "test_over_nothing.py")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*Empty parameter set*"])
