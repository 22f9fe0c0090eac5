"""Tests of nnlib.activations: closed forms, central differences, stability, and PyTorch as oracle."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import Tensor, activations
from nnlib.gradcheck import numerical_grad

ELEMENTWISE = {
    "sigmoid": activations.sigmoid,
    "tanh": activations.tanh,
    "relu": activations.relu,
    "leaky_relu": activations.leaky_relu,
    "leaky_relu_0.2": lambda x: activations.leaky_relu(x, negative_slope=0.2),
}
ALONG_AXIS = {"softmax": activations.softmax, "log_softmax": activations.log_softmax}
ALL = {**ELEMENTWISE, **ALONG_AXIS}


def weighted_sum(f, x, weights):
    """A scalar that depends on every output differently (a plain sum of softmax would be constant)."""
    return (f(x) * weights).sum()


def assert_grad_matches_central_differences(f, x):
    weights = np.random.default_rng(1).normal(size=x.shape)
    t = Tensor(x.copy(), requires_grad=True)
    weighted_sum(f, t, weights).backward()
    expected = numerical_grad(lambda a: weighted_sum(f, Tensor(a), weights), x)
    np.testing.assert_allclose(t.grad, expected, rtol=1e-6, atol=1e-8)


shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def away_from_kinks(x):
    """Move values off 0, where relu and leaky_relu have no derivative, by more than the step."""
    return np.where(np.abs(x) < 1e-3, x + np.copysign(0.01, x), x)


# ----------------------------------------------------------- derivatives
@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=15, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_elementwise_gradient_matches_central_differences(name, shape, seed):
    x = away_from_kinks(np.random.default_rng(seed).normal(scale=3, size=shape))
    assert_grad_matches_central_differences(ELEMENTWISE[name], x)


@pytest.mark.parametrize("name", ALONG_AXIS)
@settings(max_examples=15, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), data=st.data())
def test_softmax_gradient_matches_central_differences(name, shape, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    x = np.random.default_rng(seed).normal(scale=3, size=shape)
    assert_grad_matches_central_differences(lambda t: ALONG_AXIS[name](t, axis=axis), x)


def test_closed_forms():
    x = np.linspace(-4, 4, 17)
    np.testing.assert_allclose(activations.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(activations.tanh(x), 2 * activations.sigmoid(2 * x) - 1, atol=1e-15)
    np.testing.assert_array_equal(activations.relu(x), np.where(x > 0, x, 0))
    np.testing.assert_allclose(activations.leaky_relu(x, 0.1), np.where(x > 0, x, 0.1 * x))
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = np.exp(z)
    np.testing.assert_allclose(activations.softmax(z), e / e.sum(axis=1, keepdims=True), rtol=1e-15)
    np.testing.assert_allclose(activations.log_softmax(z), np.log(activations.softmax(z)), rtol=1e-14)
    np.testing.assert_allclose(activations.softmax(z, axis=0).sum(axis=0), 1.0)


def test_sigmoid_derivative_at_zero_is_a_quarter():
    x = Tensor([0.0], requires_grad=True)
    activations.sigmoid(x).sum().backward()
    assert x.grad[0] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("slope", "expected"), [(None, [0.0, 0.0, 1.0]), (0.01, [0.01, 0.01, 1.0]), (0.3, [0.3, 0.3, 1.0])]
)
def test_relu_family_derivative_at_and_around_zero(slope, expected):
    x = Tensor([-1.0, 0.0, 1.0], requires_grad=True, dtype=np.float64)
    y = activations.relu(x) if slope is None else activations.leaky_relu(x, slope)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, expected)  # at 0: 0 for relu, the slope for leaky relu


# ------------------------------------------------------- torch as oracle
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_gradients_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    reference = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": functional.relu,
        "leaky_relu": functional.leaky_relu,
        "leaky_relu_0.2": lambda x: functional.leaky_relu(x, negative_slope=0.2),
        "softmax": lambda x: functional.softmax(x, dim=-1),
        "log_softmax": lambda x: functional.log_softmax(x, dim=-1),
    }[name]
    rng = np.random.default_rng(7)
    x = (rng.normal(scale=4, size=(6, 5)) * [1, 1, 1, 10, 100]).astype(dtype)
    x[0, :3] = 0.0  # include the kinks: both libraries must take the same one-sided derivative
    weights = rng.normal(size=x.shape).astype(dtype)

    t = Tensor(x.copy(), requires_grad=True)
    out = ALL[name](t)
    (out * weights).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tout = reference(tx)
    (tout * torch.tensor(weights)).sum().backward()

    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    assert out.dtype == dtype and t.grad.dtype == dtype
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **tolerance)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), **tolerance)


# ---------------------------------------------------------------- stability
def test_extreme_inputs_give_no_warning_and_exact_limits():
    x = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        s = activations.sigmoid(x)
        t = activations.tanh(x)
        p = activations.softmax(np.array([[1e4, 1e4], [-1e4, 0.0]]))
        lp = activations.log_softmax(np.array([[0.0, -1e4], [1e4, 1e4]]))
    np.testing.assert_array_equal(s[[0, -1]], [0.0, 1.0])
    assert s[2] == 0.5
    np.testing.assert_array_equal(t[[0, -1]], [-1.0, 1.0])
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(lp, [[0.0, -1e4], [-np.log(2), -np.log(2)]])


def test_large_logits_keep_finite_gradients():
    x = Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True, dtype=np.float64)
    (activations.log_softmax(x) * Tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert np.all(np.isfinite(x.grad))
    # d/dx of sum_i w_i (x_i - logsumexp x) = w - softmax(x) * sum(w), and softmax(x) = [1, 0, 0]
    np.testing.assert_allclose(x.grad, [[1.0 - 6.0, 2.0, 3.0]], atol=1e-12)


# ------------------------------------------------------------ types and errors
@pytest.mark.parametrize("name", ALL)
def test_array_in_array_out_tensor_in_tensor_out(name):
    f = ALL[name]
    x = np.array([[-1.0, 0.5, 2.0]], dtype=np.float32)
    out = f(x)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == x.shape
    out = f(Tensor(x))
    assert isinstance(out, Tensor) and out.dtype == np.float32
    assert isinstance(f([1, 2]), np.ndarray)  # lists and integers become floating arrays
    assert f(np.array([1, 2])).dtype.kind == "f"


def test_inside_no_grad_nothing_is_recorded():
    import nnlib

    x = Tensor([1.0, -2.0], requires_grad=True)
    with nnlib.no_grad():
        y = activations.relu(x)
    assert not y.requires_grad and y.inputs == ()


@pytest.mark.parametrize("f", [activations.softmax, activations.log_softmax])
@pytest.mark.parametrize("axis", [2, -3, 1.0])
def test_softmax_axis_out_of_range_names_the_shape(f, axis):
    with pytest.raises(ValueError, match=r"axis=.* shape \(2, 3\).* \[-2, 2\)"):
        f(Tensor(np.zeros((2, 3))), axis=axis)


@pytest.mark.parametrize("slope", [float("nan"), "0.1", None])
def test_leaky_relu_rejects_a_bad_slope(slope):
    with pytest.raises(ValueError, match="negative_slope must be a finite number"):
        activations.leaky_relu(np.zeros(3), negative_slope=slope)
