"""Tests of nnlib.losses: the slides' numbers, central differences, PyTorch as oracle, bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import Tensor, losses
from nnlib.activations import log_softmax
from nnlib.gradcheck import numerical_grad

# ------------------------------------------------------------ the slides
SLIDES_TARGET = np.array([0, 0, 0, 1])
GOOD_PREDICTION = np.array([0.01, 0.01, 0.01, 0.96])
POOR_PREDICTION = np.array([0.25, 0.25, 0.25, 0.25])


@pytest.mark.parametrize(("prediction", "expected"), [(GOOD_PREDICTION, 0.04), (POOR_PREDICTION, 1.39)])
def test_slides_cross_entropy_of_probabilities(prediction, expected):
    # The slides' formula -sum_i y_i log(p_i) on probabilities is nll_loss of log(p) at the true class.
    loss = losses.nll_loss(Tensor(np.log(prediction)), int(np.argmax(SLIDES_TARGET)))
    assert round(loss.item(), 2) == expected
    assert loss.item() == pytest.approx(-np.sum(SLIDES_TARGET * np.log(prediction)))


def test_slides_poor_prediction_as_logits():
    # Equal logits mean equal probabilities, 1/4 each: loss log(4), with index or one-hot target.
    assert round(losses.cross_entropy(Tensor(np.log(POOR_PREDICTION)), SLIDES_TARGET).item(), 2) == 1.39
    assert round(losses.cross_entropy(Tensor(np.zeros((1, 4))), [3]).item(), 2) == 1.39


def test_cross_entropy_of_log_probabilities_is_minus_log_p():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])  # rows sum to 1, so softmax(log p) = p
    loss = losses.cross_entropy(Tensor(np.log(p)), [2, 0])
    assert loss.item() == pytest.approx(-(np.log(0.7) + np.log(0.5)) / 2, rel=1e-12)


# ------------------------------------------------------------ derivatives
def random_case(name, n, c, seed):
    """(loss function of the prediction alone, prediction) for a loss and a random problem of n x c."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, size=n)
    if name == "mse":
        target = rng.normal(size=(n, c))
        return (lambda p: losses.mse(p, target)), rng.normal(size=(n, c))
    if name == "mae":
        target = rng.normal(size=(n, c))
        pred = target + rng.choice([-1, 1], size=(n, c)) * rng.uniform(0.1, 1, size=(n, c))  # off the kink
        return (lambda p: losses.mae(p, target)), pred
    if name == "binary_cross_entropy":
        target = rng.uniform(size=(n, c))
        return (lambda p: losses.binary_cross_entropy(p, target)), rng.uniform(0.05, 0.95, size=(n, c))
    if name == "cross_entropy":
        return (lambda z: losses.cross_entropy(z, labels)), rng.normal(scale=3, size=(n, c))
    if name == "cross_entropy_probabilities":
        target = rng.dirichlet(np.ones(c), size=n)
        return (lambda z: losses.cross_entropy(z, target)), rng.normal(scale=3, size=(n, c))
    if name == "nll_loss":
        return (lambda lp: losses.nll_loss(lp, labels)), log_softmax(rng.normal(size=(n, c)))
    raise AssertionError(name)


LOSS_NAMES = [
    "mse",
    "mae",
    "binary_cross_entropy",
    "cross_entropy",
    "cross_entropy_probabilities",
    "nll_loss",
]


@pytest.mark.parametrize("name", LOSS_NAMES)
@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_gradient_matches_central_differences(name, n, c, seed):
    loss_of, x = random_case(name, n, c, seed)
    t = Tensor(x.copy(), requires_grad=True)
    loss = loss_of(t)
    assert loss.shape == () and loss.dtype == np.float64
    loss.backward()
    expected = numerical_grad(lambda a: loss_of(Tensor(a)), x)
    np.testing.assert_allclose(t.grad, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["mse", "mae", "binary_cross_entropy", "cross_entropy_probabilities"])
def test_gradient_with_respect_to_the_target(name):
    rng = np.random.default_rng(3)
    pred = rng.uniform(0.1, 0.9, size=(4, 3))
    target = rng.uniform(0.05, 0.95, size=(4, 3))
    if name == "cross_entropy_probabilities":
        target /= target.sum(axis=1, keepdims=True)
    f = {
        "mse": losses.mse,
        "mae": losses.mae,
        "binary_cross_entropy": losses.binary_cross_entropy,
        "cross_entropy_probabilities": losses.cross_entropy,
    }[name]
    t = Tensor(target.copy(), requires_grad=True)
    f(Tensor(pred), t).backward()
    expected = numerical_grad(lambda y: f(Tensor(pred), Tensor(y)), target)
    np.testing.assert_allclose(t.grad, expected, rtol=1e-6, atol=1e-9)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    z = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 0.0]])
    t = Tensor(z, requires_grad=True)
    losses.cross_entropy(t, [0, 2]).backward()
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(t.grad, (softmax - np.eye(3)[[0, 2]]) / 2, rtol=1e-12)


def test_cross_entropy_is_one_node():
    z = Tensor(np.zeros((2, 3)), requires_grad=True)
    loss = losses.cross_entropy(z, [0, 1])
    assert loss.op == "cross_entropy" and loss.inputs == (z,)


# ------------------------------------------------------- torch as oracle
@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_value_and_gradient_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(11)
    n, c = 7, 4
    x = rng.normal(scale=2, size=(n, c))
    labels = rng.integers(0, c, size=n)
    soft = rng.dirichlet(np.ones(c), size=n)
    targets = {
        "mse": rng.normal(size=(n, c)),
        "mae": rng.normal(size=(n, c)),
        "binary_cross_entropy": rng.integers(0, 2, size=(n, c)).astype(float),
        "cross_entropy": labels,
        "cross_entropy_probabilities": soft,
        "nll_loss": labels,
    }
    if name == "binary_cross_entropy":
        x = 1 / (1 + np.exp(-x))
    if name == "nll_loss":
        x = log_softmax(x)
    ours = {
        "mse": losses.mse,
        "mae": losses.mae,
        "binary_cross_entropy": losses.binary_cross_entropy,
        "cross_entropy": losses.cross_entropy,
        "cross_entropy_probabilities": losses.cross_entropy,
        "nll_loss": losses.nll_loss,
    }[name]
    theirs = {
        "mse": F.mse_loss,
        "mae": F.l1_loss,
        "binary_cross_entropy": F.binary_cross_entropy,
        "cross_entropy": F.cross_entropy,
        "cross_entropy_probabilities": F.cross_entropy,
        "nll_loss": F.nll_loss,
    }[name]
    x = x.astype(dtype)
    target = targets[name]
    target = target.astype(dtype) if target.dtype.kind == "f" else target

    t = Tensor(x.copy(), requires_grad=True)
    loss = ours(t, target)
    loss.backward()
    tx = torch.tensor(x, requires_grad=True)
    tloss = theirs(tx, torch.tensor(target))
    tloss.backward()

    tolerance = dict(rtol=2e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-15)
    assert loss.dtype == dtype and t.grad.dtype == dtype
    np.testing.assert_allclose(loss.item(), tloss.item(), **tolerance)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), **tolerance)


def test_extreme_values_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]])
    labels = np.array([2, 1])
    prob = np.array([0.0, 1.0, 0.0, 1.0, 1e-30])
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        ce = losses.cross_entropy(Tensor(logits), labels).item()
        bce = losses.binary_cross_entropy(Tensor(prob), target).item()
    assert ce == pytest.approx(F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item())
    assert bce == pytest.approx(F.binary_cross_entropy(torch.tensor(prob), torch.tensor(target)).item())
    assert ce == pytest.approx(1000.0) and bce == pytest.approx((100 + 100 + 69.0776) / 5, rel=1e-5)


# ---------------------------------------------------------------- targets
def test_class_indices_and_one_hot_targets_agree():
    z = np.random.default_rng(0).normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    by_index = losses.cross_entropy(Tensor(z), labels).item()
    assert losses.cross_entropy(Tensor(z), np.eye(3)[labels]).item() == pytest.approx(by_index, rel=1e-12)
    assert losses.cross_entropy(Tensor(z), labels.astype(float)).item() == pytest.approx(by_index, rel=1e-12)
    assert losses.cross_entropy(Tensor(z), Tensor(labels)).item() == pytest.approx(by_index, rel=1e-12)
    single = losses.cross_entropy(Tensor(z[1]), 2).item()
    assert single == pytest.approx(losses.cross_entropy(Tensor(z[1:2]), [2]).item(), rel=1e-12)


def test_losses_take_arrays_and_return_0d_tensors():
    for loss in (
        losses.mse([1.0, 2.0], [1.0, 4.0]),
        losses.mae(np.array([1.0, 2.0]), [1.0, 4.0]),
        losses.binary_cross_entropy([0.5], [1.0]),
        losses.cross_entropy([[0.0, 0.0]], [1]),
        losses.nll_loss([[-1.0, -2.0]], [1]),
    ):
        assert isinstance(loss, Tensor) and loss.shape == ()
    assert losses.mse([1.0, 2.0], [1.0, 4.0]).item() == pytest.approx(2.0)
    assert losses.mae([1.0, 2.0], [1.0, 4.0]).item() == pytest.approx(1.0)


def test_float32_prediction_keeps_float32_with_float64_target():
    pred = Tensor(np.array([[0.2, 0.7]], dtype=np.float32), requires_grad=True)
    for loss in (losses.mse(pred, np.array([[0.0, 1.0]])), losses.binary_cross_entropy(pred, [[0.0, 1.0]])):
        pred.grad = None
        loss.backward()
        assert loss.dtype == np.float32 and pred.grad.dtype == np.float32


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("loss", [losses.mse, losses.mae, losses.binary_cross_entropy])
def test_shape_mismatch_names_both_shapes(loss):
    with pytest.raises(ValueError, match=r"has shape \(5, 1\) but target has shape \(5,\).*reshape"):
        loss(Tensor(np.full((5, 1), 0.5)), np.full(5, 0.5))


@pytest.mark.parametrize("loss", [losses.mse, losses.mae, losses.binary_cross_entropy])
def test_empty_input_is_refused(loss):
    with pytest.raises(ValueError, match="empty"):
        loss(Tensor(np.zeros((0, 1))), np.zeros((0, 1)))


@pytest.mark.parametrize(
    ("prob", "target", "message"),
    [
        ([0.5, 1.5], [0.0, 1.0], r"prob must lie in \[0, 1\] \(apply a sigmoid.*got values in \[0.5, 1.5\]"),
        ([-2.0, 0.5], [0.0, 1.0], r"prob must lie in \[0, 1\]"),
        ([np.nan, 0.5], [0.0, 1.0], r"prob must lie in \[0, 1\]"),
        ([0.5, 0.5], [0.0, 2.0], r"target must lie in \[0, 1\]"),
    ],
)
def test_binary_cross_entropy_checks_probabilities(prob, target, message):
    with pytest.raises(ValueError, match=message):
        losses.binary_cross_entropy(Tensor(prob), target)


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        ([0, 3], ValueError, r"class indices in \[0, 3\], but there are 3 classes.*\[0, 3\)"),
        ([-1, 0], ValueError, r"class indices in \[-1, 0\]"),
        ([0.0, 1.5], ValueError, r"class indices must be integers, got 1.5 at position 1"),
        (["a", "b"], TypeError, r"class indices must be integers, got dtype <U1"),
        ([0, 1, 2], ValueError, r"target has shape \(3,\); expected class indices of shape \(2,\) or class "),
        (np.eye(3)[[0, 1]] * 2, ValueError, r"target probabilities must lie in \[0, 1\]"),
    ],
)
def test_cross_entropy_checks_targets(target, error, message):
    with pytest.raises(error, match=message):
        losses.cross_entropy(Tensor(np.zeros((2, 3))), target)


@pytest.mark.parametrize("shape", [(2, 3, 4), (), (2, 0), (0, 3)])
def test_cross_entropy_checks_the_logits_shape(shape):
    with pytest.raises(
        ValueError, match=rf"logits must have shape \(n, C\).*got shape \({shape[0] if shape else ''}"
    ):
        losses.cross_entropy(Tensor(np.zeros(shape)), np.zeros(shape[:-1], dtype=int))


def test_nll_loss_refuses_probabilities_and_one_hot_targets():
    with pytest.raises(ValueError, match=r"log-probabilities \(<= 0\).*largest value is 0.7.*log_softmax"):
        losses.nll_loss(Tensor([[0.3, 0.7]]), [1])
    with pytest.raises(
        ValueError, match=r"target has shape \(1, 2\); expected class indices of shape \(1,\)"
    ):
        losses.nll_loss(Tensor([[-0.3, -0.7]]), [[0, 1]])
    with pytest.raises(ValueError, match=r"class indices in \[2, 2\], but there are 2 classes"):
        losses.nll_loss(Tensor([[-0.3, -0.7]]), [2])
