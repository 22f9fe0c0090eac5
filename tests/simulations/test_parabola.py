"""Tests of nnlib.simulations.parabola against the closed form x_k = x0 (1 - 2 lr)^k and torch."""

import numpy as np
import pytest

from nnlib.simulations.parabola import ESCAPE_RADIUS, REGIME_HINTS, descend_1d, learning_rate_regime


@pytest.mark.parametrize("lr", [0.01, 0.3, 0.8])
def test_iterates_follow_the_closed_form(lr):
    points, diverged_at = descend_1d(lr, 1.5, 12)
    assert diverged_at is None
    np.testing.assert_allclose(points, 1.5 * (1 - 2 * lr) ** np.arange(13), rtol=1e-12)


def test_iterates_equal_torch_sgd(torch):
    x = torch.tensor([-1.7], dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([x], lr=0.45)
    expected = [-1.7]
    for _ in range(15):
        sgd.zero_grad()
        (x**2).sum().backward()
        sgd.step()
        expected.append(x.item())
    np.testing.assert_allclose(descend_1d(0.45, -1.7, 15)[0], expected, rtol=1e-12)


def test_divergence_is_the_first_step_beyond_the_escape_radius():
    points, diverged_at = descend_1d(1.5, 2.0, 20)
    # x_k = 2 (1 - 3)^k = 2 (-2)^k: |x_k| = 2^(k + 1) first exceeds 10 at k = 3
    assert ESCAPE_RADIUS == 10
    assert diverged_at == 3
    np.testing.assert_allclose(points, [2.0, -4.0, 8.0])


@pytest.mark.parametrize(
    ("lr", "regime"),
    # a step multiplies x by q = 1 - 2 lr: q near 1 crawls, 0 < q < 1 converges,
    # -1 < q < 0 alternates sides, |q| > 1 grows
    [(0.01, "too small"), (0.3, "good"), (0.8, "oscillating"), (1.2, "diverging")],
)
def test_regimes(lr, regime):
    assert learning_rate_regime(*descend_1d(lr, 2.0, 20)) == regime
    assert regime in REGIME_HINTS


def test_a_start_at_the_minimum_stays_there():
    points, diverged_at = descend_1d(0.1, 0.0, 5)
    np.testing.assert_array_equal(points, np.zeros(6))
    assert learning_rate_regime(points, diverged_at) == "at the minimum already"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0.0}, "lr must be a finite number > 0, got 0.0"),
        ({"lr": float("nan")}, "lr must be"),
        ({"start": float("inf")}, "start must be a finite number"),
        ({"steps": 2.5}, "steps must be an integer >= 0, got 2.5"),
        ({"steps": -1}, "steps must be an integer >= 0, got -1"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    arguments = {"lr": 0.1, "start": 1.0, "steps": 3, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        descend_1d(**arguments)
