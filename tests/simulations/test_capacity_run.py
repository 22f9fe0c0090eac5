"""Tests of nnlib.simulations.capacity_run: the recorded fit against torch, and under- to overfitting."""

import numpy as np
import pytest
from torch_mirror import torch_copy

import nnlib
from nnlib import nn
from nnlib.simulations.capacity_run import CapacityRun


def test_recorded_fit_and_losses_follow_torch(torch):
    run = CapacityRun(hidden=(8,), steps=30, lr=0.05, n_train=10, noise=0.3, seed=4)
    nnlib.manual_seed(4)  # the run's initialisation, rebuilt
    mirror = torch_copy(torch, nn.MLP([1, 8, 1], activation="tanh"), "tanh")
    X = torch.tensor(run.X_train, dtype=torch.float64)
    y = torch.tensor(run.y_train, dtype=torch.float64)
    adam = torch.optim.Adam(mirror.parameters(), lr=0.05)
    step = run.checkpoints[6]
    expected_losses = []
    for _ in range(step):
        adam.zero_grad()
        loss = torch.mean((mirror(X).reshape(-1) - y) ** 2)
        expected_losses.append(loss.item())
        loss.backward()
        adam.step()
    with torch.no_grad():
        curve = mirror(torch.tensor(run.curve_x[:, None], dtype=torch.float64)).reshape(-1).numpy()
    np.testing.assert_allclose(run.predictions[step], curve, rtol=1e-4, atol=1e-5)  # float32 against 64
    np.testing.assert_allclose(run.train_loss[:step], expected_losses, rtol=1e-4)


def test_checkpoints_start_at_0_and_end_at_the_last_step():
    run = CapacityRun(hidden=(4,), steps=50)
    assert run.checkpoints[0] == 0 and run.checkpoints[-1] == 50
    assert run.checkpoints == sorted(set(run.checkpoints))
    assert set(run.predictions) == set(run.test_loss) == set(run.checkpoints)
    assert run.train_loss.shape == (51,)


def test_default_run_goes_from_under_to_overfitting():
    run = CapacityRun()
    best = min(run.test_loss, key=run.test_loss.get)
    last = run.checkpoints[-1]
    assert 0 < best < last
    assert run.train_loss[last] < run.train_loss[best] < run.train_loss[0]  # training keeps improving
    assert run.test_loss[last] > 1.5 * run.test_loss[best]  # while the test loss rises again
    assert run.regime(run.checkpoints[1]) == "underfitting"
    assert run.regime(best) == "good fit"
    assert run.regime(last) == "overfitting"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be an integer >= 1, got 0"),
        ({"hidden": (8, 0)}, "each hidden width must be an integer >= 1, got 0"),
        ({"n_train": 1}, "n_train must be an integer >= 2, got 1"),
        ({"lr": 0}, "lr must be a finite number > 0, got 0"),
        ({"noise": -0.1}, "noise must be a finite number >= 0, got -0.1"),
        ({"seed": -1}, "seed must be an integer >= 0, got -1"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CapacityRun(**{"steps": 5, **kwargs})


def test_regime_only_at_a_checkpoint():
    run = CapacityRun(hidden=(4,), steps=5)
    with pytest.raises(ValueError, match="step must be one of the checkpoints"):
        run.regime(17)
