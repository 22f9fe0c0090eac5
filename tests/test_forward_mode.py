"""Tests for nnlib.forward_mode: dual-number derivatives against closed forms and reverse mode."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import forward_mode as fm
from nnlib.forward_mode import Dual

moderate = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.1, 5.0, allow_nan=False)


# ---------------------------------------------------- elementary functions
@pytest.mark.parametrize(
    ("function", "value", "slope", "domain"),
    [
        (fm.exp, math.exp, math.exp, moderate),
        (fm.log, math.log, lambda x: 1 / x, positive),
        (fm.sin, math.sin, math.cos, moderate),
        (fm.cos, math.cos, lambda x: -math.sin(x), moderate),
        (fm.tanh, math.tanh, lambda x: 1 / math.cosh(x) ** 2, moderate),
        (
            fm.sigmoid,
            lambda x: 1 / (1 + math.exp(-x)),
            lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
            moderate,
        ),
        (fm.sqrt, math.sqrt, lambda x: 0.5 / math.sqrt(x), positive),
    ],
    ids=["exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt"],
)
def test_elementary_functions_carry_their_closed_form_derivatives(function, value, slope, domain):
    @given(x=domain, seed=st.floats(-2.0, 2.0))
    @settings(max_examples=40, deadline=None)
    def check(x, seed):
        result = function(Dual(x, seed))
        assert result.value == pytest.approx(value(x), rel=1e-12, abs=1e-12)
        assert result.derivative == pytest.approx(slope(x) * seed, rel=1e-9, abs=1e-12)
        # on a plain number the function just evaluates
        assert function(x) == pytest.approx(value(x), rel=1e-12, abs=1e-12)

    check()


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise"):
        for x in (-800.0, 800.0):
            result = fm.sigmoid(Dual(x, 1.0))
            assert math.isfinite(result.value) and math.isfinite(result.derivative)
    assert fm.sigmoid(-800.0) == 0.0 and fm.sigmoid(800.0) == 1.0


def test_relu_passes_the_derivative_only_where_positive():
    assert fm.relu(Dual(2.0, 3.0)).derivative == 3.0
    assert fm.relu(Dual(-2.0, 3.0)).derivative == 0.0
    assert fm.relu(Dual(0.0, 3.0)).derivative == 0.0
    assert fm.relu(-1.5) == 0.0 and fm.relu(1.5) == 1.5


# ---------------------------------------------------- arithmetic
@given(x=moderate)
@settings(max_examples=50, deadline=None)
def test_polynomial_derivative(x):
    assert fm.derivative(lambda t: 3 * t**3 - 2 * t + 1, x) == pytest.approx(9 * x**2 - 2, abs=1e-9)


@given(x=positive, y=positive)
@settings(max_examples=50, deadline=None)
def test_quotient_and_differences_with_numbers_on_either_side(x, y):
    # f(x) = (1 - x) / (x + y) + 2 / x - x / 4; f'(x) = -(1 + y) / (x + y)**2 - 2 / x**2 - 1/4
    f = lambda t: (1 - t) / (t + y) + 2 / t - t / 4
    assert fm.derivative(f, x) == pytest.approx(-(1 + y) / (x + y) ** 2 - 2 / x**2 - 0.25, rel=1e-9)


@given(x=positive)
@settings(max_examples=50, deadline=None)
def test_powers_with_dual_exponents(x):
    # d/dx x**x = x**x (ln x + 1); d/dx 2**x = 2**x ln 2; d/dx x**0.5 = 0.5 x**-0.5
    assert fm.derivative(lambda t: t**t, x) == pytest.approx(x**x * (math.log(x) + 1), rel=1e-9)
    assert fm.derivative(lambda t: 2**t, x) == pytest.approx(2**x * math.log(2), rel=1e-9)
    assert fm.derivative(lambda t: t**0.5, x) == pytest.approx(0.5 / math.sqrt(x), rel=1e-9)


def test_power_of_a_negative_base_with_a_constant_dual_exponent_needs_no_logarithm():
    with np.errstate(invalid="raise"):
        result = Dual(-2.0, 1.0) ** Dual(3.0, 0.0)
    assert (result.value, result.derivative) == (-8.0, 12.0)


@given(x=moderate)
@settings(max_examples=50, deadline=None)
def test_chain_rule_through_compositions(x):
    # d/dx sin(x**2) = 2x cos(x**2); d/dx exp(tanh(x)) = exp(tanh x) (1 - tanh(x)**2)
    assert fm.derivative(lambda t: fm.sin(t**2), x) == pytest.approx(2 * x * math.cos(x**2), abs=1e-9)
    expected = math.exp(math.tanh(x)) * (1 - math.tanh(x) ** 2)
    assert fm.derivative(lambda t: fm.exp(fm.tanh(t)), x) == pytest.approx(expected, rel=1e-9)


def test_negation_and_unary_plus():
    result = -(+Dual(2.0, 1.0))
    assert (result.value, result.derivative) == (-2.0, -1.0)


def test_numpy_scalars_on_the_left_defer_to_dual():
    result = np.float64(3.0) * Dual(2.0, 1.0) - np.float64(1.0)
    assert isinstance(result, Dual)
    assert (result.value, result.derivative) == (5.0, 3.0)


def test_comparisons_look_at_values_so_branches_work():
    f = lambda t: t * t if t > 1 else -t
    assert fm.derivative(f, 3.0) == 6.0
    assert fm.derivative(f, 0.5) == -1.0
    assert max(Dual(1.0, 5.0), Dual(2.0, 7.0)).derivative == 7.0


def test_a_constant_function_has_derivative_zero():
    assert fm.derivative(lambda t: 4.0, 1.0) == 0.0


def test_dual_numbers_hold_arrays_elementwise():
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(fm.derivative(lambda t: t**3 + fm.sin(t), x), 3 * x**2 + np.cos(x))


def test_unsupported_operands_raise_type_errors():
    with pytest.raises(TypeError):
        Dual(1.0, 1.0) + "a"
    with pytest.raises(TypeError):
        Dual(Dual(1.0), 1.0)


# ---------------------------------------------------- gradients
def test_the_slides_example_needs_two_forward_passes():
    # e(a, b) = (a + b)(b + 1) at a = 2, b = 1: e = 6, de/da = 2, de/db = 5
    calls = []

    def e(a, b):
        calls.append(1)
        return (a + b) * (b + 1)

    np.testing.assert_array_equal(fm.gradient_forward(e, [2.0, 1.0]), [2.0, 5.0])
    assert len(calls) == 2


def _loss(*ws):
    """A function of 5 inputs written with operators only, so it runs on Duals and on Tensors."""
    total = 0.0
    for i, w in enumerate(ws):
        total = total + (w - i) ** 2 * (1 + ws[0] * ws[0])
    return total / (1 + ws[1] ** 2)


def test_forward_gradient_matches_reverse_mode():
    xs = [0.3, -1.2, 2.0, 0.5, 1.7]
    calls = []
    counted = lambda *ws: calls.append(1) or _loss(*ws)
    forward = fm.gradient_forward(counted, xs)
    assert len(calls) == len(xs)  # one forward pass per input

    leaves = [nnlib.Tensor(x, requires_grad=True, dtype=np.float64) for x in xs]
    _loss(*leaves).backward()  # reverse mode: one backward pass for all of them
    np.testing.assert_allclose(forward, [leaf.grad for leaf in leaves], rtol=1e-12)


def test_jvp_is_the_gradient_dotted_with_the_direction():
    xs, direction = [0.3, -1.2, 2.0, 0.5, 1.7], np.array([1.0, -2.0, 0.5, 0.0, 3.0])
    gradient = fm.gradient_forward(_loss, xs)
    assert fm.jvp(_loss, xs, direction) == pytest.approx(gradient @ direction, rel=1e-12)
    with pytest.raises(ValueError, match="one entry per input"):
        fm.jvp(_loss, xs, [1.0, 2.0])
