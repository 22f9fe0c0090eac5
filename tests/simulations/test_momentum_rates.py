"""Tests of nnlib.simulations.momentum_rates: rates from the recurrence's matrix, optima from a grid."""

import math

import numpy as np
import pytest

from nnlib.simulations import momentum_rates as rates

CANYON = (0.2, 10.0)


def spectral_radius(lr, momentum, curvature, nesterov):
    """Largest |eigenvalue| of the map (e[t], e[t-1]) -> (e[t+1], e[t]) of the method's recurrence."""
    shrink = 1 - lr * curvature
    if nesterov:
        matrix = np.array([[(1 + momentum) * shrink, -momentum * shrink], [1.0, 0.0]])
    else:
        matrix = np.array([[1 + momentum - lr * curvature, -momentum], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(matrix)).max()


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("curvatures", [CANYON, (1.0, 1.0), (0.01, 1.0)])
def test_rate_is_the_spectral_radius_of_the_recurrence(curvatures, nesterov):
    rng = np.random.default_rng(0)
    for lr, momentum in zip(rng.uniform(0.0, 4.5 / curvatures[1], 200), rng.uniform(0.0, 0.99, 200)):
        expected = max(spectral_radius(lr, momentum, c, nesterov) for c in curvatures)
        rate = rates.momentum_rate(lr, momentum, curvatures, nesterov=nesterov)
        assert rate == pytest.approx(expected, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize(("lr", "momentum"), [(0.05, 0.9), (0.1, 0.6), (0.02, 0.95)])
def test_nnlib_nesterov_converges_at_the_predicted_rate(lr, momentum):
    measured, _ = rates.measured_rate(lr, momentum, CANYON, steps=1000, nesterov=True)
    assert measured == pytest.approx(rates.momentum_rate(lr, momentum, CANYON, nesterov=True), rel=5e-3)


def test_without_momentum_it_is_gradient_descent():
    lrs = np.linspace(0.0, 0.3, 61)
    expected = np.maximum(np.abs(1 - 0.2 * lrs), np.abs(1 - 10 * lrs))
    np.testing.assert_allclose(rates.momentum_rate(lrs, 0.0, CANYON), expected, rtol=1e-12)
    np.testing.assert_allclose(rates.gradient_descent_rate(lrs, CANYON), expected, rtol=1e-12)


@pytest.mark.parametrize("kappa", [2.0, 50.0, 1000.0])
def test_the_optima_are_the_best_points_of_a_fine_grid(kappa):
    curvatures = (1.0 / kappa, 1.0)
    gd = rates.optimal_gradient_descent(curvatures)
    assert gd.rate == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)
    lrs = np.linspace(1e-4, 4.0, 2001)
    assert rates.gradient_descent_rate(lrs, curvatures).min() >= gd.rate - 1e-12
    assert rates.gradient_descent_rate(gd.lr, curvatures) == pytest.approx(gd.rate, rel=1e-12)

    best = rates.optimal_momentum(curvatures)
    assert best.rate == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rel=1e-12)
    assert rates.momentum_rate(best.lr, best.momentum, curvatures) == pytest.approx(best.rate, rel=1e-6)
    grid = rates.rate_map(curvatures, lrs, np.linspace(0.0, 0.999, 1000))
    assert grid.shape == (1000, 2001)
    assert grid.min() >= best.rate - 1e-9  # nothing on the grid beats the formula
    assert grid.min() == pytest.approx(best.rate, rel=0.02)  # and the grid comes close to it


@pytest.mark.parametrize(
    ("lr", "momentum"), [(0.15, 0.0), (0.15, 0.5), (0.15, 0.9), (0.05, 0.9), (0.307, 0.566), (0.2, 0.2)]
)
def test_nnlib_sgd_converges_at_the_predicted_rate(lr, momentum):
    measured, distances = rates.measured_rate(lr, momentum, CANYON, steps=1000)
    assert distances.shape == (1001,)
    assert measured == pytest.approx(rates.momentum_rate(lr, momentum, CANYON), rel=5e-3)


@pytest.mark.parametrize(("lr", "momentum"), [(0.25, 0.0), (0.3, 0.2)])
def test_an_unstable_setting_is_measured_as_diverging(lr, momentum):
    # stable only for lr * 10 < 2 (1 + momentum): 2 and 2.4 here
    measured, distances = rates.measured_rate(lr, momentum, CANYON, steps=2000)
    assert measured == math.inf and len(distances) < 2001
    assert rates.momentum_rate(lr, momentum, CANYON) > 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rates.momentum_rate(0.1, 0.5, (10.0, 0.2)), "0 < lowest <= highest"),
        (lambda: rates.optimal_momentum((0.0, 1.0)), "0 < lowest <= highest"),
        (lambda: rates.optimal_gradient_descent("canyon"), "a pair"),
        (lambda: rates.measured_rate(0.1, 1.0, CANYON), "'momentum' parameter of measured_rate"),
        (lambda: rates.measured_rate(0.1, 0.5, CANYON, steps=101), "steps must be even"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
