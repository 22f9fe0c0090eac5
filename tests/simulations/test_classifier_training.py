"""Tests of nnlib.simulations.classifier_training: training against torch, and the divergence rule."""

import math

import numpy as np
import pytest
from torch_mirror import torch_copy

from nnlib.simulations.classifier_training import (
    DIVERGENCE_FACTOR,
    DIVERGENCE_PATIENCE,
    ClassifierTraining,
)


def test_full_batch_adam_follows_torch(torch):
    run = ClassifierTraining("moons", hidden=(16, 16), optimizer="Adam", lr=0.01, batch_size=None)
    mirror = torch_copy(torch, run.model, "relu")  # the same initial weights, before training
    run.train(5)

    X = torch.tensor(run.X_train, dtype=torch.float64)
    y = torch.tensor(run.y_train, dtype=torch.long)
    adam = torch.optim.Adam(mirror.parameters(), lr=0.01)
    expected = [torch.nn.functional.cross_entropy(mirror(X), y).item()]
    for _ in range(5):
        adam.zero_grad()
        torch.nn.functional.cross_entropy(mirror(X), y).backward()
        adam.step()
        expected.append(torch.nn.functional.cross_entropy(mirror(X), y).item())
    np.testing.assert_allclose(run.history["train"], expected, rtol=1e-4)  # nnlib trains in float32
    assert run.epoch == 5 and len(run.history["test"]) == 6


def test_the_same_settings_give_the_same_run():
    first, second = ClassifierTraining(dataset="XOR"), ClassifierTraining(dataset="XOR")
    first.train(3)
    second.train(3)
    assert first.history == second.history


def test_a_good_setting_learns_the_moons_and_never_counts_as_diverged():
    run = ClassifierTraining()
    run.train(100)
    assert run.diverged_at is None
    assert run.history["train"][-1] < 0.1 * run.history["train"][0]
    assert run.accuracy(run.X_test, run.y_test) >= 0.9


def first_epoch_breaking_the_rule(history, bound):
    """The rule, read off the losses: non-finite, or above the bound for PATIENCE epochs in a row."""
    above = 0
    for epoch, loss in enumerate(history[1:], start=1):
        if not math.isfinite(loss):
            return epoch
        above = above + 1 if loss > bound else 0
        if above == DIVERGENCE_PATIENCE:
            return epoch
    return None


def test_sgd_at_lr_10_with_momentum_099_is_reported_as_diverged():
    run = ClassifierTraining(optimizer="SGD", lr=10.0, momentum=0.99)
    run.train(50)
    history = run.history["train"]
    assert run.divergence_bound == pytest.approx(3 * math.log(2))  # two classes
    assert run.diverged_at == first_epoch_breaking_the_rule(history, 3 * math.log(2))
    assert run.diverged_at is not None and run.epoch == run.diverged_at  # it stopped there
    # the losses stay finite and well below 100 times the start: a rule on that alone misses it
    assert all(math.isfinite(loss) for loss in history) and max(history) < 100 * history[0]
    assert run.train(10) == 0 and run.epoch == run.diverged_at  # and trains no further


def test_rmsprop_blowing_up_to_huge_losses_is_diverged_too():
    run = ClassifierTraining(optimizer="RMSprop", lr=10.0, momentum=0.99)
    run.train(30)
    assert run.diverged_at == first_epoch_breaking_the_rule(run.history["train"], run.divergence_bound)


@pytest.mark.parametrize(
    ("losses", "diverged"),
    [
        ([0.7] + [5.0] * (DIVERGENCE_PATIENCE - 1) + [0.5], False),  # a spike shorter than the patience
        ([0.7] + [5.0] * DIVERGENCE_PATIENCE, True),
        ([0.7, 0.6, math.nan], True),
        ([0.7, math.inf], True),
        ([0.7] + [DIVERGENCE_FACTOR * math.log(2) - 0.01] * 10, False),  # just below the bound
    ],
)
def test_the_divergence_rule_on_given_losses(losses, diverged):
    run = ClassifierTraining()
    run.history["train"] = list(losses)
    assert run.has_diverged() is diverged


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset": "iris"}, "dataset must be one of .*got 'iris'"),
        ({"hidden": (16, 0)}, r"hidden must be one or more layer widths .*got \(16, 0\)"),
        ({"hidden": ()}, "hidden must be one or more layer widths"),
        ({"activation": "gelu"}, "activation must be one of"),
        ({"optimizer": "Lion"}, "optimizer must be one of .*got 'Lion'"),
        ({"lr": -0.1}, "lr must be a finite number > 0, got -0.1"),
        ({"momentum": 1.0}, r"momentum must be a number in \[0, 1\), got 1.0"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1 or None"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ClassifierTraining(**kwargs)
