"""Tests for nnlib.gradcheck: central differences against closed forms, and catching wrong derivatives."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import Tensor
from nnlib.gradcheck import GradcheckReport, gradcheck, numerical_grad

rng = np.random.default_rng(42)


def square_with_wrong_grad(x, wrong_at=None):
    """x**2 built with Tensor.from_op; its derivative forgets the factor 2 (everywhere, or at one element)."""

    def grad_fn(g):
        if wrong_at is None:
            return g * x.data  # should be 2 * x
        correct = 2 * g * x.data
        correct[wrong_at] *= 1.1
        return correct

    return Tensor.from_op(x.data**2, "square", (x, grad_fn))


# ------------------------------------------------------- numerical_grad
@given(
    A=hnp.arrays(np.float64, (3, 3), elements=st.floats(-2, 2)),
    x=hnp.arrays(np.float64, (3,), elements=st.floats(-2, 2)),
)
@settings(max_examples=30, deadline=None)
def test_numerical_grad_of_a_quadratic_form_is_a_plus_a_transpose_times_x(A, x):
    f = lambda v: v @ A @ v  # ndarray in, float out
    np.testing.assert_allclose(numerical_grad(f, x), (A + A.T) @ x, atol=1e-7)


def test_numerical_grad_of_tensors_with_several_inputs():
    X, w = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    # f = sum(exp(X w)); df/dw = X^T exp(X w), df/dX = exp(X w) w^T
    f = lambda X, w: (X @ w).exp().sum()
    gX, gw = numerical_grad(f, Tensor(X), Tensor(w))
    E = np.exp(X @ w)
    np.testing.assert_allclose(gw, X.T @ E, rtol=1e-7)
    np.testing.assert_allclose(gX, E @ w.T, rtol=1e-7)


def test_numerical_grad_works_in_float64_and_leaves_the_inputs_alone():
    x32 = Tensor(np.array([0.1, 0.2, 0.3], dtype=np.float32))
    before = x32.data.copy()
    grad = numerical_grad(lambda x: (x.log() * x).sum(), x32)
    assert grad.dtype == np.float64
    # d/dx x log x = log x + 1, accurate to ~1e-9 only in float64
    np.testing.assert_allclose(grad, np.log(before.astype(np.float64)) + 1, rtol=1e-8)
    np.testing.assert_array_equal(x32.data, before)
    assert x32.data.dtype == np.float32


def test_numerical_grad_passes_integer_inputs_through():
    x = np.array([1.0, 2.0, 3.0])
    picks = np.array([0, 2, 2])
    gx, gpicks = numerical_grad(lambda x, i: x[i].sum(), x, picks)
    np.testing.assert_allclose(gx, [1.0, 0.0, 2.0], atol=1e-8)
    assert gpicks is None


def test_numerical_grad_error_shrinks_like_eps_squared():
    f, x = lambda v: np.sin(v).sum(), np.array([0.7])
    errors = [abs(numerical_grad(f, x, eps=eps)[0] - np.cos(0.7)) for eps in (1e-2, 1e-3)]
    assert 50 < errors[0] / errors[1] < 200  # ten times smaller step, a hundred times smaller error


def test_numerical_grad_demands_a_single_number():
    with pytest.raises(ValueError, match=r"single number .* got shape \(3,\)"):
        numerical_grad(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match="eps"):
        numerical_grad(lambda x: x.sum(), np.ones(3), eps=0)


# ------------------------------------------------------- gradcheck
@pytest.mark.parametrize(
    "f",
    [
        lambda x, w: (x @ w).exp().sum(),
        lambda x, w: ((x @ w) / (1 + (x @ w) ** 2)).mean(),
        lambda x, w: (x.max(axis=1).reshape(4, 1) * w.T[0:1, :]).sum(),
        lambda x, w: ((x - x.mean(axis=0)) ** 2).sum().log(),
    ],
    ids=["matmul-exp", "quotient", "max-index", "mean-log"],
)
def test_gradcheck_passes_on_correct_ops(f):
    x, w = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    report = gradcheck(f, x, w)
    assert report.ok and bool(report)
    assert report.max_rel_error < 1e-6
    assert str(report).startswith("gradcheck passed")


def test_gradcheck_catches_a_derivative_missing_its_factor_two():
    x = rng.normal(size=(3, 2)) + 3.0  # away from 0, so the relative error is large everywhere
    report = gradcheck(lambda x: square_with_wrong_grad(x).sum(), x)
    assert not report.ok and not report
    assert report.max_rel_error == pytest.approx(0.5, rel=1e-6)  # |x - 2x| / |2x|
    np.testing.assert_allclose(report.numerical[0], 2 * x, rtol=1e-8)
    np.testing.assert_allclose(report.analytic[0], x)
    assert "FAILED" in str(report)


def test_gradcheck_names_the_input_and_element_that_are_wrong():
    a, b = rng.normal(size=(2, 2)), rng.normal(size=(2, 3)) + 3.0
    report = gradcheck(lambda a, b: (a * a).sum() + square_with_wrong_grad(b, wrong_at=(1, 2)).sum(), a, b)
    assert not report.ok
    assert (report.input_index, report.element_index) == (1, (1, 2))
    # analytic 2.2 b, numerical 2 b: relative error 0.2 / 2.2
    assert report.max_rel_error == pytest.approx(0.2 / 2.2, rel=1e-6)
    text = str(report)
    assert "input 1, element (1, 2)" in text
    assert f"{2.2 * b[1, 2]:.6g}" in text and f"{2 * b[1, 2]:.6g}" in text


def test_gradcheck_compares_tiny_gradients_in_absolute_terms():
    # f = 1e-9 * sum(x): the true gradient 1e-9 is far below atol / rtol, so even a derivative
    # off by 100% passes, while the same error on a gradient of size 1 fails
    x = np.ones(3)
    off_by_100_percent = lambda scale: (
        lambda x: Tensor.from_op(
            scale * x.data.sum(), "scaled sum", (x, lambda g: 2 * scale * g * np.ones_like(x.data))
        )
    )
    assert gradcheck(off_by_100_percent(1e-9), x).ok
    assert not gradcheck(off_by_100_percent(1.0), x).ok


def test_gradcheck_skips_constants_and_uses_float64_copies():
    x32 = Tensor(rng.normal(size=(3,)).astype(np.float32), requires_grad=True)
    target = Tensor(np.ones(3, dtype=np.float32))  # requires_grad=False: a constant
    picks = np.array([2, 0])
    f = lambda x, t, i: ((x - t) ** 2)[i].sum()
    report = gradcheck(f, x32, target, picks)
    assert report.ok
    assert report.analytic[1] is None and report.analytic[2] is None
    assert report.analytic[0].dtype == np.float64
    assert x32.grad is None  # the caller's tensor is untouched


def test_gradcheck_treats_an_input_that_f_ignores_as_having_zero_gradient():
    report = gradcheck(lambda x, unused: (x**3).sum(), np.array([1.0, 2.0]), np.array([5.0]))
    assert report.ok
    np.testing.assert_array_equal(report.analytic[1], [0.0])


def test_gradcheck_reports_nan_gradients_as_failures():
    nan_grad = lambda x: Tensor.from_op(x.data.sum(), "sum", (x, lambda g: np.full_like(x.data, np.nan)))
    report = gradcheck(nan_grad, np.ones(2))
    assert not report.ok and report.max_rel_error == np.inf


def test_gradcheck_rejects_calls_with_nothing_to_check():
    with pytest.raises(ValueError, match="nothing to check"):
        gradcheck(lambda x: x.sum(), Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="atol >= 0 and rtol > 0"):
        gradcheck(lambda x: x.sum(), np.ones(2), rtol=0)


def test_report_is_a_plain_record():
    report = gradcheck(lambda x: (x * x).sum(), np.array([1.0]))
    assert isinstance(report, GradcheckReport)
    assert (report.input_index, report.element_index) == (0, (0,))


def test_plain_numbers_are_inputs_too():
    assert numerical_grad(lambda x: x**3, 2.0) == pytest.approx(12.0, rel=1e-8)
    report = gradcheck(lambda x: x * x * x, 2.0)
    assert report.ok and report.element_index == ()
