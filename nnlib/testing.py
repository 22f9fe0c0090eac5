"""Friendly checks for the exercises, in the spirit of ``numpy.testing`` and ``torch.testing``.

The exercises' visible tests call these after each answer; a failing check says what was expected
and what came back. Grading does not rely on them: the hidden tests' verdicts run in the grader.
"""

from __future__ import annotations

import inspect

import numpy as np

from nnlib.tensor import Tensor


def check_close(name: str, got, expected, tol: float = 1e-6) -> None:
    """Compare a result with the expected values; explain the difference if they disagree.

    Parameters
    ----------
    name : str
        What is being checked, as the message should name it.
    got : array_like or Tensor
        The result to check, of the same shape as ``expected``.
    expected : array_like
    tol : float
        Allowed absolute difference, scaled by the largest expected magnitude when that exceeds 1.

    Raises
    ------
    AssertionError
        With the expected and received values, when shapes or values differ or ``got`` is not
        finite. Prints ``"<name>: ok"`` otherwise.
    """
    if got is None:
        raise AssertionError(f"{name}: got None. Does the function `return` its result?")
    if isinstance(got, Tensor):
        got = got.data
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: expected numbers, got a {type(got).__name__}") from None
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise AssertionError(f"{name}: expected shape {expected.shape}, got shape {got.shape}")
    if not np.isfinite(got).all():
        raise AssertionError(f"{name}: the result contains NaN or inf:\n{got}")
    error = np.abs(got - expected).max(initial=0.0)
    allowed = tol * max(1.0, np.abs(expected).max(initial=0.0))
    if not error <= allowed:
        raise AssertionError(
            f"{name}: expected\n{expected}\nbut got\n{got}\n"
            f"(largest difference {error:.3g}, allowed {allowed:.3g})"
        )
    print(f"{name}: ok")


def expect(condition, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(message)


def require(*names: str, part: str) -> None:
    """Fail with a clear message unless an earlier part's functions are defined in the notebook.

    A test that uses the answer of an earlier part calls this first, so that a student who
    skipped that part reads what to do instead of a bare ``NameError``.

    Parameters
    ----------
    *names : str
        The functions (or variables) the test needs, looked up in the caller's global namespace.
    part : str
        The part of the exercise that defines them, e.g. ``"1.4"``.
    """
    namespace = inspect.currentframe().f_back.f_globals
    missing = [name for name in names if name not in namespace]
    if missing:
        raise AssertionError(f"solve Part {part} ({', '.join(missing)}) first, and run its cell")
