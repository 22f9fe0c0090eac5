"""Tests of nnlib.lr_scheduler: every rate equals torch.optim.lr_scheduler's, step by step, bit for bit."""

import importlib
import math
import os

import numpy as np
import pytest

from nnlib import Tensor, lr_scheduler, optim


@pytest.fixture
def torch():
    """torch as the oracle: skipped where it is missing, except under CI, where it must be installed."""
    if os.environ.get("CI"):
        return importlib.import_module("torch")
    return pytest.importorskip("torch")


# (nnlib/torch class name, keyword arguments); two parameter groups with different rates each
SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.001)),  # 25 epochs: down, up, down, ...
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1 / (1 + epoch))),
    ("LambdaLR", dict(lr_lambda=[lambda epoch: 0.95**epoch, lambda epoch: min(1.0, (epoch + 1) / 4)])),
]
EPOCHS = 25
LRS = (0.1, 0.03)


def snapshot(scheduler, optimizer):
    return scheduler.last_epoch, scheduler.get_last_lr(), [group["lr"] for group in optimizer.param_groups]


def nnlib_rates(name, kwargs, epochs=EPOCHS, change_at=None):
    """last_epoch, get_last_lr() and the groups' rates after construction and after each step."""
    weights, bias = (Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(1), requires_grad=True))
    groups = [{"params": [weights], "lr": LRS[0]}, {"params": [bias], "lr": LRS[1]}]
    optimizer = optim.SGD(groups, momentum=0.9)
    scheduler = getattr(optim.lr_scheduler, name)(optimizer, **kwargs)
    history = [snapshot(scheduler, optimizer)]
    for epoch in range(epochs):
        weights.grad, bias.grad = np.full(3, 0.5), np.full(1, -0.5)
        optimizer.step()
        if epoch == change_at:
            optimizer.param_groups[0]["lr"] *= 0.5  # by hand, between two steps of the schedule
        scheduler.step()
        history.append(snapshot(scheduler, optimizer))
    return history, np.concatenate([weights.data, bias.data])


def torch_rates(torch, name, kwargs, epochs=EPOCHS, change_at=None):
    weights = torch.ones(3, dtype=torch.float64, requires_grad=True)
    bias = torch.ones(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD(
        [{"params": [weights], "lr": LRS[0]}, {"params": [bias], "lr": LRS[1]}], momentum=0.9
    )
    scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
    history = [snapshot(scheduler, optimizer)]
    for epoch in range(epochs):
        weights.grad = torch.full((3,), 0.5, dtype=torch.float64)
        bias.grad = torch.full((1,), -0.5, dtype=torch.float64)
        optimizer.step()
        if epoch == change_at:
            optimizer.param_groups[0]["lr"] *= 0.5
        scheduler.step()
        history.append(snapshot(scheduler, optimizer))
    return history, torch.cat([weights, bias]).detach().numpy()


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=lambda value: str(value))
def test_rates_equal_torch_step_by_step(torch, name, kwargs):
    ours, our_params = nnlib_rates(name, kwargs)
    theirs, their_params = torch_rates(torch, name, kwargs)
    assert ours == theirs  # exact: last_epoch, get_last_lr() and every group's rate, each epoch
    np.testing.assert_allclose(our_params, their_params, rtol=1e-14)  # the optimizer used those rates


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES[::2], ids=lambda value: str(value))
def test_a_rate_changed_by_hand_is_carried_on_as_in_torch(torch, name, kwargs):
    ours, _ = nnlib_rates(name, kwargs, change_at=10)
    theirs, _ = torch_rates(torch, name, kwargs, change_at=10)
    assert ours == theirs


@pytest.mark.parametrize(
    ("name", "kwargs", "closed_form"),
    [
        ("StepLR", dict(step_size=4, gamma=0.5), lambda base, t: base * 0.5 ** (t // 4)),
        ("ExponentialLR", dict(gamma=0.8), lambda base, t: base * 0.8**t),
        ("CosineAnnealingLR", dict(T_max=10), lambda base, t: base * (1 + math.cos(math.pi * t / 10)) / 2),
        ("LambdaLR", dict(lr_lambda=lambda t: 1 / (t + 1)), lambda base, t: base / (t + 1)),
    ],
)
def test_rates_follow_the_closed_form(name, kwargs, closed_form):
    history, _ = nnlib_rates(name, kwargs, epochs=20)
    for epoch, last_lr, group_lrs in history:
        expected = [closed_form(base, epoch) for base in LRS]
        np.testing.assert_allclose(last_lr, expected, rtol=1e-12, atol=1e-15)
        assert group_lrs == last_lr


def test_reachable_as_optim_lr_scheduler():
    assert optim.lr_scheduler is lr_scheduler
    assert optim.lr_scheduler.StepLR is lr_scheduler.StepLR


def test_construction_keeps_the_rate_and_stores_initial_lr():
    param = Tensor(np.zeros(2), requires_grad=True)
    optimizer = optim.Adam([param], lr=0.01)
    scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    assert (scheduler.last_epoch, scheduler.get_last_lr(), scheduler.base_lrs) == (0, [0.01], [0.01])
    assert optimizer.param_groups[0]["initial_lr"] == 0.01
    scheduler.get_last_lr().append(1.0)  # a copy: changing it changes nothing
    assert scheduler.get_last_lr() == [0.01]


def test_resuming_needs_initial_lr_and_continues_the_schedule(torch):
    param = Tensor(np.zeros(2), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10, last_epoch=3)
    optimizer.param_groups[0]["initial_lr"] = 0.1
    ours = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10, last_epoch=3)
    tensor = torch.zeros(2, requires_grad=True)
    torch_optimizer = torch.optim.SGD([{"params": [tensor], "lr": 0.1, "initial_lr": 0.1}])
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(torch_optimizer, T_max=10, last_epoch=3)
    for _ in range(5):
        assert (ours.last_epoch, ours.get_last_lr()) == (theirs.last_epoch, theirs.get_last_lr())
        torch_optimizer.step()
        ours.step()
        theirs.step()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "'step_size' parameter of StepLR"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2.5), TypeError, "'step_size' parameter of StepLR"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=-0.1), ValueError, "'gamma' parameter of Exponential"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "'T_max' parameter"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, 5, eta_min=-1.0), ValueError, "'eta_min' parameter"),
        (lambda o: lr_scheduler.LambdaLR(o, lr_lambda=0.5), TypeError, "function of the epoch"),
        (
            lambda o: lr_scheduler.LambdaLR(o, lr_lambda=[abs, abs]),
            ValueError,
            "one lr_lambda per parameter group",
        ),
        (lambda o: lr_scheduler.StepLR(o, 2, last_epoch=-2), ValueError, "'last_epoch' parameter"),
        (lambda o: lr_scheduler.StepLR([o], 2), TypeError, "needs an nnlib.optim optimizer"),
    ],
)
def test_bad_arguments_are_named(make, error, message):
    optimizer = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    with pytest.raises(error, match=message):
        make(optimizer)
