"""nnlib.init: the formulas of Glorot and Bengio (2010) and He et al. (2015), and torch's names."""

import math

import numpy as np
import pytest

import nnlib
from nnlib import init, nn
from tests.ci import skip_or_fail

SHAPE = (300, 500)  # (fan_out, fan_in): 150 000 draws, sample std within about 0.5 %


@pytest.fixture
def torch():
    try:
        import torch
    except ImportError:
        skip_or_fail("PyTorch (the oracle) is not installed")
    return torch


def fresh(shape=SHAPE, dtype=np.float64):
    return nnlib.Tensor(np.full(shape, np.nan, dtype=dtype), requires_grad=True)


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None)]
    + [("leaky_relu", None), ("leaky_relu", 0.2)],
)
def test_gains_are_torchs(torch, nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12
    )


def test_gains_in_closed_form():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.5) == pytest.approx(math.sqrt(2 / 1.25))


@pytest.mark.parametrize(
    ("fill", "kwargs", "expected_std", "uniform"),
    [
        (init.xavier_uniform_, {}, math.sqrt(2 / (500 + 300)), True),
        (init.xavier_normal_, {"gain": 5 / 3}, 5 / 3 * math.sqrt(2 / (500 + 300)), False),
        (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 500), False),
        (init.kaiming_uniform_, {"nonlinearity": "relu", "mode": "fan_out"}, math.sqrt(2 / 300), True),
        (init.kaiming_normal_, {"a": 0.2}, math.sqrt(2 / (1 + 0.04) / 500), False),
        (init.normal_, {"std": 0.3}, 0.3, False),
    ],
)
def test_spread_matches_the_formula(fill, kwargs, expected_std, uniform):
    nnlib.manual_seed(0)
    weight = fresh()
    assert fill(weight, **kwargs) is weight
    values = weight.data
    assert abs(values.mean()) < 0.02 * expected_std * 5
    assert values.std() == pytest.approx(expected_std, rel=0.01)
    if uniform:  # U(-b, b) with b = sqrt(3) std: every draw inside, the extremes near the bound
        bound = math.sqrt(3) * expected_std
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.999 * bound


def test_spread_matches_torch_on_the_same_shape(torch):
    nnlib.manual_seed(1)
    ours = init.kaiming_uniform_(fresh()).data.std()
    theirs = torch.nn.init.kaiming_uniform_(torch.empty(SHAPE, dtype=torch.float64)).std().item()
    assert ours == pytest.approx(theirs, rel=0.02)


def test_seeded_draws_repeat_and_keep_the_dtype():
    nnlib.manual_seed(3)
    first = init.xavier_normal_(fresh((4, 5), np.float32)).data.copy()
    nnlib.manual_seed(3)
    second = init.xavier_normal_(fresh((4, 5), np.float32)).data
    assert second.dtype == np.float32
    np.testing.assert_array_equal(first, second)


def test_zeros_and_use_through_nn():
    layer = nn.Linear(3, 2, dtype=np.float64)
    nn.init.zeros_(layer.weight)
    assert not layer.weight.data.any()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="out_features, in_features"):
        init.xavier_uniform_(fresh((5,)))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(fresh((2, 2)), mode="fan")
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(TypeError, match="nnlib.Tensor"):
        init.xavier_uniform_(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="std must be at least 0"):
        init.normal_(fresh((2, 2)), std=-1.0)
