"""Tests of nnlib.simulations.optimizer_runs: paths against torch.optim and the closed form of SGD."""

import numpy as np
import pytest

from nnlib.landscapes import CANYON, MAX_LOSS, ROSENBROCK, ROTATED_CANYON
from nnlib.simulations.optimizer_runs import RACE_LEARNING_RATES, RACE_OPTIMIZERS, momentum_run, race

TORCH_RACERS = {
    "SGD": lambda torch, params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda torch, params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda torch, params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda torch, params, lr: torch.optim.Adagrad(params, lr=lr),
    "Adadelta": lambda torch, params, lr: torch.optim.Adadelta(params, lr=lr),
    "RMSprop": lambda torch, params, lr: torch.optim.RMSprop(params, lr=lr),
    "Adam": lambda torch, params, lr: torch.optim.Adam(params, lr=lr),
    "AMSGrad": lambda torch, params, lr: torch.optim.Adam(params, lr=lr, amsgrad=True),
}


def torch_path(torch, landscape, make, start, steps):
    """The points of a torch optimizer on a landscape, the gradient by torch's autograd through f."""
    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make([param])
    points = [param.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        landscape.f(param[0], param[1]).backward()
        optimizer.step()
        points.append(param.detach().numpy().copy())
    return np.array(points)


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.8, False), (0.8, True)])
def test_momentum_run_equals_torch_sgd(torch, momentum, nesterov):
    path = momentum_run(0.05, momentum, nesterov, start=(-8.0, 3.0), steps=40)
    expected = torch_path(
        torch,
        CANYON,
        lambda params: torch.optim.SGD(params, lr=0.05, momentum=momentum, nesterov=nesterov),
        (-8.0, 3.0),
        40,
    )
    np.testing.assert_allclose(path.points, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(path.losses, 0.1 * expected[:, 0] ** 2 + 5 * expected[:, 1] ** 2, rtol=1e-12)


def test_nesterov_without_momentum_is_plain_sgd():
    plain = momentum_run(0.1, 0.0, nesterov=False, steps=10)
    np.testing.assert_array_equal(momentum_run(0.1, 0.0, nesterov=True, steps=10).points, plain.points)


def test_momentum_run_diverges_where_plain_sgd_must():
    # plain SGD on 0.1 x^2 + 5 y^2: x_k = x0 (1 - 0.2 lr)^k, y_k = y0 (1 - 10 lr)^k; lr = 0.5: y_k = y0 (-4)^k
    x0, y0 = CANYON.start
    loss = lambda k: 0.1 * (x0 * 0.9**k) ** 2 + 5 * (y0 * (-4.0) ** k) ** 2
    step = next(k for k in range(1, 100) if loss(k) > MAX_LOSS)
    assert momentum_run(0.5, 0.0, steps=60).diverged_at == step


@pytest.mark.parametrize("landscape", ["canyon", "rotated canyon", "rosenbrock"])
def test_every_racer_runs_as_torch_does(torch, landscape):
    surface = {"canyon": CANYON, "rotated canyon": ROTATED_CANYON, "rosenbrock": ROSENBROCK}[landscape]
    paths = race(landscape, 25)
    assert list(paths) == list(RACE_OPTIMIZERS)
    for name, make in TORCH_RACERS.items():
        lr = RACE_LEARNING_RATES[landscape][name]
        expected = torch_path(
            torch, surface, lambda params, make=make, lr=lr: make(torch, params, lr), surface.start, 25
        )
        np.testing.assert_allclose(paths[name].points, expected, rtol=1e-9, atol=1e-12, err_msg=name)


def test_race_takes_a_learning_rate_per_racer():
    x0, y0 = CANYON.start
    paths = race("canyon", 5, {"SGD": 0.05})
    # the closed form of plain SGD on the canyon
    k = np.arange(6)
    np.testing.assert_allclose(paths["SGD"].points, np.column_stack([x0 * 0.99**k, y0 * 0.5**k]), rtol=1e-12)


def test_race_default_rates_make_progress_and_diverge_only_off_the_saddle():
    for landscape in RACE_LEARNING_RATES:
        for name, path in race(landscape, 150).items():
            assert path.losses[-1] < path.losses[0], (landscape, name)
            if landscape != "saddle":  # x**2 - y**2 has no lower bound: escaping it is the point
                assert path.diverged_at is None, (landscape, name)


def test_race_rejects_an_unknown_landscape_or_racer():
    with pytest.raises(ValueError, match="landscape must be one of .*'canyon'.*got 'valley'"):
        race("valley", 10)
    with pytest.raises(ValueError, match=r"unknown racers \['Lion'\]"):
        race("canyon", 10, {"Lion": 0.1})
