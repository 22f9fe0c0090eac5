"""Loss functions: one number that says how far predictions are from targets.

Each loss is a single node of the graph, with its derivative written beside
it, and averages over the batch (PyTorch's ``reduction="mean"``). The result
is a 0-d :class:`~nnlib.Tensor`; call ``.backward()`` on it.

Regression (``n`` values ``p_i`` against targets ``y_i``):

- :func:`mse`  ``(1/n) sum (p_i - y_i)**2``,  derivative ``(2/n) (p_i - y_i)``
- :func:`mae`  ``(1/n) sum |p_i - y_i|``,     derivative ``(1/n) sign(p_i - y_i)``

Classification:

- :func:`binary_cross_entropy` ``-(1/n) sum y log p + (1 - y) log(1 - p)`` for
  probabilities ``p`` (e.g. after a sigmoid); derivative ``(p - y) / (p (1 - p) n)``.
- :func:`cross_entropy` for logits ``z`` of shape (n, C):
  ``-(1/n) sum_i log softmax(z_i)[y_i]``. Its derivative with respect to the
  logits is strikingly simple, ``(softmax(z) - onehot(y)) / n``, which is why
  the softmax and the log are fused into this one node rather than chained.
- :func:`nll_loss` the same average of ``-log_probs[i, y_i]``, for inputs that
  already went through :func:`~nnlib.activations.log_softmax`.
"""

import numpy as np

from nnlib.tensor import Tensor, as_tensor

__all__ = ["binary_cross_entropy", "cross_entropy", "mae", "mse", "nll_loss"]

_LOG_FLOOR = -100.0  # binary_cross_entropy clamps log(0) = -inf to this, as PyTorch does
_MIN_VARIANCE = 1e-12  # floor of p (1 - p) in binary_cross_entropy's derivative


# ------------------------------------------------------------------ checks


def _prediction_and_target(loss, pred, target, pred_name="pred"):
    """Lift both to tensors (the target in the prediction's dtype) and check that their shapes match."""
    pred = as_tensor(pred)
    target = as_tensor(target, dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(
            f"{loss}: {pred_name} has shape {pred.shape} but target has shape {target.shape}; "
            "they must be equal (e.g. reshape a target of shape (n,) to (n, 1) with .reshape(-1, 1))"
        )
    if pred.size == 0:
        raise ValueError(f"{loss}: got empty inputs of shape {pred.shape}; a loss needs at least one value")
    return pred, target


def _check_probabilities(loss, name, values, hint=""):
    low, high = values.min(), values.max()
    if not (0 <= low and high <= 1):  # written this way round so that NaN fails too
        raise ValueError(f"{loss}: {name} must lie in [0, 1]{hint}, got values in [{low:.4g}, {high:.4g}]")


def _check_scores(loss, name, scores):
    """Class scores must be (n, C), or (C,) for one sample; returns them as (n, C)."""
    if scores.ndim not in (1, 2) or scores.shape[-1] == 0 or scores.size == 0:
        raise ValueError(
            f"{loss}: {name} must have shape (n, C) for n samples and C classes "
            f"(or (C,) for one sample), got shape {scores.shape}"
        )
    return scores.reshape(1, -1) if scores.ndim == 1 else scores


def _class_indices(loss, target, n_classes):
    """Validate integer class labels in [0, n_classes) and return them as an int array."""
    if target.dtype.kind == "f":
        whole = np.isfinite(target) & (target == np.round(target))
        if not whole.all():
            bad = np.flatnonzero(~whole.ravel())[0]
            raise ValueError(
                f"{loss}: class indices must be integers, got {target.ravel()[bad]} at position {bad}"
            )
    elif target.dtype.kind not in "iub":
        raise TypeError(f"{loss}: class indices must be integers, got dtype {target.dtype}")
    target = target.astype(np.intp, copy=False).reshape(-1)
    # Viewed as unsigned, a negative index becomes huge, so one maximum checks both ends.
    if target.view(np.uintp).max() >= n_classes:
        low, high = target.min(), target.max()
        raise ValueError(
            f"{loss}: target holds class indices in [{low}, {high}], but there are "
            f"{n_classes} classes, so indices must lie in [0, {n_classes})"
        )
    return target


def _row_max(z):
    """Maxima of the rows of a 2-D array, as a column of shape (n, 1).

    numpy reduces along a short last axis one row at a time; with few columns
    (classes) it is several times faster to reduce a transposed copy down its
    first axis, which compares whole rows at once.
    """
    if z.shape[1] <= 32:
        return np.ascontiguousarray(z.T).max(axis=0)[:, None]
    return z.max(axis=1, keepdims=True)


def _target_kind(loss, name, scores, target):
    """'indices' if target has shape scores.shape[:-1], 'probabilities' if it has scores' shape."""
    if target.shape == scores.shape[:-1]:
        return "indices"
    if target.shape == scores.shape:
        return "probabilities"
    raise ValueError(
        f"{loss}: target has shape {target.shape}; expected class indices of shape {scores.shape[:-1]} "
        f"or class probabilities (e.g. one-hot) of shape {scores.shape}, for {name} of shape {scores.shape}"
    )


# -------------------------------------------------------------- regression
def mse(pred, target):
    """Mean squared error ``mean((pred - target)**2)`` over all elements.

    Parameters
    ----------
    pred : Tensor, any shape
    target : Tensor or array_like, same shape as ``pred``

    Returns
    -------
    Tensor, shape ()
    """
    pred, target = _prediction_and_target("mse", pred, target)
    diff = pred.data - target.data
    scale = 2.0 / diff.size
    loss = np.asarray(np.mean(diff * diff), dtype=pred.dtype)
    return Tensor.from_op(
        loss, "mse", (pred, lambda g: (g * scale) * diff), (target, lambda g: (-g * scale) * diff)
    )


def mae(pred, target):
    """Mean absolute error ``mean(|pred - target|)``; its derivative at ``pred == target`` is 0.

    Parameters
    ----------
    pred : Tensor, any shape
    target : Tensor or array_like, same shape as ``pred``

    Returns
    -------
    Tensor, shape ()
    """
    pred, target = _prediction_and_target("mae", pred, target)
    diff = pred.data - target.data
    scale = 1.0 / diff.size
    loss = np.asarray(np.mean(np.abs(diff)), dtype=pred.dtype)
    return Tensor.from_op(
        loss,
        "mae",
        (pred, lambda g: (g * scale) * np.sign(diff)),
        (target, lambda g: (-g * scale) * np.sign(diff)),
    )


# ---------------------------------------------------------- classification
def binary_cross_entropy(prob, target):
    """Binary cross-entropy ``-mean(y log p + (1 - y) log(1 - p))`` of probabilities ``p``.

    The logs are clamped at -100 (as in PyTorch), so a confident wrong answer
    costs a large but finite loss rather than ``inf``.

    Parameters
    ----------
    prob : Tensor, any shape
        Predicted probabilities of the positive class, in [0, 1] (e.g. a sigmoid's output).
    target : Tensor or array_like, same shape as ``prob``
        Labels 0 or 1 (or soft labels in [0, 1]).

    Returns
    -------
    Tensor, shape ()
    """
    loss_name = "binary_cross_entropy"
    prob, target = _prediction_and_target(loss_name, prob, target, pred_name="prob")
    p, y = prob.data, target.data
    _check_probabilities(loss_name, "prob", p, hint=" (apply a sigmoid to the outputs first)")
    _check_probabilities(loss_name, "target", y)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), _LOG_FLOOR)
        log_not_p = np.maximum(np.log1p(-p), _LOG_FLOOR)
    scale = 1.0 / p.size
    loss = np.asarray(-np.mean(y * log_p + (1 - y) * log_not_p), dtype=p.dtype)
    return Tensor.from_op(
        loss,
        loss_name,
        (prob, lambda g: (g * scale) * (p - y) / np.maximum(p * (1 - p), _MIN_VARIANCE)),
        (target, lambda g: (g * scale) * (log_not_p - log_p)),
    )


def cross_entropy(logits, target):
    """Softmax cross-entropy of raw scores (logits), as ``torch.nn.functional.cross_entropy``.

    For one sample with logits ``z`` and true class ``k`` the loss is
    ``-log softmax(z)[k] = log sum_j exp(z_j) - z_k``, computed with the
    log-sum-exp trick (subtract ``max(z)``), so it never overflows. Its
    gradient with respect to ``z`` is ``softmax(z) - onehot(k)``: the
    predicted probabilities minus the true ones. Both are averaged over the
    ``n`` samples.

    Parameters
    ----------
    logits : Tensor, shape (n, C) or (C,)
        Unnormalised scores for C classes; not probabilities (no softmax before).
    target : array_like or Tensor
        Either class indices, integers in [0, C) of shape (n,) (or () for one sample),
        or class probabilities, e.g. one-hot rows, of the same shape as ``logits``,
        with the loss ``-(1/n) sum_i sum_c target[i, c] log softmax(z_i)[c]``.

    Returns
    -------
    Tensor, shape ()

    Examples
    --------
    Equal logits give each of 4 classes probability 1/4, so the loss is
    ``log 4``, the slides' "poor prediction":

    >>> round(cross_entropy(Tensor([0.0, 0.0, 0.0, 0.0]), [0, 0, 0, 1]).item(), 2)
    1.39

    The same with a class index as target, for a batch of one:

    >>> round(cross_entropy(Tensor([[0.0, 0.0, 0.0, 0.0]]), [3]).item(), 2)
    1.39
    """
    logits = as_tensor(logits)
    z = _check_scores("cross_entropy", "logits", logits.data)
    raw_target = target.data if isinstance(target, Tensor) else np.asarray(target)
    kind = _target_kind("cross_entropy", "logits", logits.data, raw_target)
    n, n_classes = z.shape

    shifted = z - _row_max(z)  # the log-sum-exp trick: now exp(shifted) <= 1 cannot overflow
    exp = np.exp(shifted)
    sum_exp = exp @ np.ones(n_classes, dtype=z.dtype)  # row sums, as one matrix-vector product
    log_sum_exp = np.log(sum_exp)  # (n,): log sum_j exp(z_ij) - max_j z_ij

    if kind == "indices":
        labels = _class_indices("cross_entropy", raw_target, n_classes)
        rows = np.arange(n)
        loss = (log_sum_exp - shifted[rows, labels]).sum() / n

        def logits_grad(g):
            grad = exp / sum_exp[:, None]  # softmax
            grad[rows, labels] -= 1  # minus one-hot
            grad *= g / n
            return grad.reshape(logits.shape)

        return Tensor.from_op(np.asarray(loss, dtype=z.dtype), "cross_entropy", (logits, logits_grad))

    target = as_tensor(target, dtype=z.dtype)
    t = target.data.reshape(z.shape)
    _check_probabilities("cross_entropy", "target probabilities", t)
    log_probs = shifted - log_sum_exp[:, None]
    loss = -(t * log_probs).sum() / n

    def logits_grad_soft(g):
        # d/dz of -sum_c t_c log softmax(z)_c is softmax(z) sum_c t_c - t (softmax - t for one-hot t)
        grad = exp / sum_exp[:, None] * t.sum(axis=1, keepdims=True) - t
        return grad.reshape(logits.shape) * (g / n)

    return Tensor.from_op(
        np.asarray(loss, dtype=z.dtype),
        "cross_entropy",
        (logits, logits_grad_soft),
        (target, lambda g: log_probs.reshape(target.shape) * (-g / n)),
    )


def nll_loss(log_probs, target):
    """Negative log-likelihood ``-mean(log_probs[i, target[i]])`` of class indices.

    ``nll_loss(log_softmax(z), y)`` equals ``cross_entropy(z, y)``; the latter
    is one fused node and the one to use for training.

    Parameters
    ----------
    log_probs : Tensor, shape (n, C) or (C,)
        Log-probabilities (values <= 0), e.g. from :func:`~nnlib.activations.log_softmax`.
    target : array_like, shape (n,) (or () for one sample)
        Class indices, integers in [0, C).

    Returns
    -------
    Tensor, shape ()

    Examples
    --------
    The slides' "good prediction" puts probability 0.96 on the true class 3;
    its loss is ``-log 0.96``:

    >>> import numpy as np
    >>> round(nll_loss(Tensor(np.log([0.01, 0.01, 0.01, 0.96])), 3).item(), 2)
    0.04

    (Passing ``log p`` as logits to :func:`cross_entropy` instead gives 0.03:
    softmax renormalises ``p``, whose values here sum to 0.99, not 1.)
    """
    log_probs = as_tensor(log_probs)
    scores = _check_scores("nll_loss", "log_probs", log_probs.data)
    raw_target = target.data if isinstance(target, Tensor) else np.asarray(target)
    if raw_target.shape != log_probs.shape[:-1]:
        raise ValueError(
            f"nll_loss: target has shape {raw_target.shape}; expected class indices of shape "
            f"{log_probs.shape[:-1]} for log_probs of shape {log_probs.shape}"
        )
    n, n_classes = scores.shape
    labels = _class_indices("nll_loss", raw_target, n_classes)
    if scores.max() > 1e-4:
        raise ValueError(
            f"nll_loss: log_probs must be log-probabilities (<= 0), but the largest value is "
            f"{scores.max():.4g}; apply log_softmax first, or use cross_entropy on logits"
        )
    rows = np.arange(n)
    loss = np.asarray(-scores[rows, labels].mean(), dtype=scores.dtype)

    def log_probs_grad(g):
        grad = np.zeros_like(scores)
        grad[rows, labels] = -g / n
        return grad.reshape(log_probs.shape)

    return Tensor.from_op(loss, "nll_loss", (log_probs, log_probs_grad))
