"""Tests of nnlib.simulations.adam_counterexample: the run by hand; Adam ends at +1, AMSGrad at -1."""

import math

import numpy as np
import pytest

from nnlib.simulations.adam_counterexample import online_gradient, online_run


def by_hand(amsgrad, C, lr, steps, start=0.0):
    """Adam (beta1 = 0) with torch's bias correction, lr / sqrt(t), projected onto [-1, 1]; numpy only."""
    beta2, eps = 1 / (1 + C * C), 1e-8
    x, v, v_max, xs = start, 0.0, 0.0, [start]
    for t in range(1, steps + 1):
        g = C if t % 3 == 1 else -1.0
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)
        denominator = math.sqrt(v_max if amsgrad else v) / math.sqrt(1 - beta2**t) + eps
        x = min(1.0, max(-1.0, x - lr / math.sqrt(t) * g / denominator))
        xs.append(x)
    return np.array(xs)


def test_the_gradients_are_C_once_every_three_steps():
    assert [online_gradient(t, 3.0) for t in range(1, 8)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0, 3.0]


@pytest.mark.parametrize("amsgrad", [False, True])
def test_the_run_is_the_algorithm_written_out(amsgrad):
    xs, _ = online_run(amsgrad, C=3.0, lr=0.5, steps=300)
    np.testing.assert_allclose(xs, by_hand(amsgrad, 3.0, 0.5, 300), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("C", [2.5, 3.0, 5.0])
def test_adam_drifts_to_the_worst_point_and_amsgrad_to_the_best(C):
    adam, adam_regret = online_run(False, C=C, steps=3000)
    amsgrad, amsgrad_regret = online_run(True, C=C, steps=3000)
    assert adam[-300:].min() > 0.9  # near +1, the worst point
    assert amsgrad[-300:].max() < -0.9  # near -1, the best point
    # sitting at +1 costs (C - 2) * 2 every three steps against sitting at -1
    assert adam_regret[-1] == pytest.approx(2 * (C - 2) / 3, rel=0.1)
    assert amsgrad_regret[-1] < 0.05 * adam_regret[-1]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(C=2.0), ValueError, "'C' parameter of online_run"),
        (dict(lr=0.0), ValueError, "'lr' parameter"),
        (dict(steps=0), ValueError, "'steps' parameter"),
        (dict(start=1.5), ValueError, "'start' parameter"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        online_run(True, **kwargs)


def test_amsgrad_must_be_a_bool():
    with pytest.raises(TypeError, match="amsgrad must be True or False"):
        online_run("yes")
