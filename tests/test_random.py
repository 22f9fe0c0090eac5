"""Tests of nnlib.random: one seed reproduces every initialisation."""

import numpy as np
import pytest

import nnlib
from nnlib import nn
from nnlib.random import get_rng, manual_seed


@pytest.fixture(autouse=True)
def restore_the_generator():
    """Reseeding is global: leave the stream as the other tests found it."""
    state = get_rng().bit_generator.state
    yield
    manual_seed(0)
    get_rng().bit_generator.state = state


def test_manual_seed_restarts_the_same_stream():
    manual_seed(7)
    first = get_rng().normal(size=5)
    manual_seed(7)
    np.testing.assert_array_equal(get_rng().normal(size=5), first)


def test_different_seeds_give_different_streams():
    manual_seed(1)
    one = get_rng().normal(size=5)
    manual_seed(2)
    assert not np.array_equal(get_rng().normal(size=5), one)


def test_manual_seed_reproduces_a_models_initial_weights():
    nnlib.manual_seed(3)
    first = [p.data.copy() for p in nn.MLP([4, 8, 2]).parameters()]
    nnlib.manual_seed(3)
    second = [p.data for p in nn.MLP([4, 8, 2]).parameters()]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_fork_rng_gives_the_stream_back_as_it_was():
    manual_seed(123)
    expected = np.random.default_rng(123).standard_normal(3)  # numpy's own generator, same seed
    with nnlib.random.fork_rng():
        manual_seed(0)
        inside = get_rng().standard_normal(2)
    np.testing.assert_array_equal(inside, np.random.default_rng(0).standard_normal(2))
    np.testing.assert_array_equal(get_rng().standard_normal(3), expected)


def test_fork_rng_gives_the_stream_back_after_an_error():
    manual_seed(5)
    expected = np.random.default_rng(5).standard_normal(2)
    with pytest.raises(RuntimeError), nnlib.random.fork_rng():
        get_rng().standard_normal(10)
        raise RuntimeError("inside")
    np.testing.assert_array_equal(get_rng().standard_normal(2), expected)
