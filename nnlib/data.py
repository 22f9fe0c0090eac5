"""Small data sets to train on, and the two tools every training loop needs: a split and mini-batches.

The toy sets are two-dimensional so that a classifier's decision boundary can
be drawn. Each generator takes ``n_samples``, ``noise`` and ``seed`` and
returns ``(X, y)``: ``X`` of shape ``(n_samples, 2)`` in the default dtype
(float32 unless :func:`nnlib.set_default_dtype` changed it) and ``y`` of shape
``(n_samples,)`` holding int64 class labels. The rows come in random order and
the classes are as equal in size as ``n_samples`` allows.

==========================  =========================================================
generator                   what it draws
==========================  =========================================================
:func:`make_moons`          two interleaving half circles
:func:`make_circles`        a small circle inside a large one
:func:`make_spirals`        ``n_classes`` arms of a spiral winding around the origin
:func:`make_xor`            four clusters at the corners; opposite corners share a class
:func:`make_blobs`          Gaussian clusters around given or evenly placed centres
:func:`make_regression_1d`  noisy samples of ``sin(x)``, optionally with outliers
==========================  =========================================================

``seed`` makes a set reproducible: the same seed gives the same set. With
``seed=None`` the samples are drawn from nnlib's own generator, so
:func:`nnlib.manual_seed` controls them.
"""

import math
import numbers
from pathlib import Path

import numpy as np

from nnlib.random import get_rng
from nnlib.tensor import get_default_dtype

__all__ = [
    "batches",
    "load_digits",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "make_xor",
    "train_test_split",
]


# --------------------------------------------------------------- validation
def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_nonnegative(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return float(value)


def _generator(seed):
    """A numpy Generator: a fresh one for an integer seed, nnlib's own for ``None``."""
    if seed is None:
        return get_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return np.random.default_rng(int(seed))


def _common_arguments(n_samples, noise, seed):
    """The arguments every generator takes, checked: ``n_samples`` as int, ``noise`` as float, and the rng."""
    return _check_int(n_samples, "n_samples", 1), _check_nonnegative(noise, "noise"), _generator(seed)


def _split_evenly(n, parts):
    """Sizes of ``parts`` groups that add up to ``n`` and differ by at most one, e.g. 7, 3 -> [3, 2, 2]."""
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def _finish(X, y, rng):
    """Shuffle the rows and give ``X`` the default dtype and ``y`` int64."""
    order = rng.permutation(len(X))
    return X[order].astype(get_default_dtype()), y[order].astype(np.int64)


# ---------------------------------------------------------------- toy sets
def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles, a set no straight line can separate.

    Class 0 is the upper half of the unit circle; class 1 is the lower half of
    a unit circle centred at ``(1, 0.5)``, so the two moons hook into each other.

    Parameters
    ----------
    n_samples : int, default 200
        Number of points, split evenly between the two classes.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int or None, default 0
        Seed of the random numbers (``None``: nnlib's generator).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, 1}
    """
    n_samples, noise, rng = _common_arguments(n_samples, noise, seed)
    n_upper, n_lower = _split_evenly(n_samples, 2)
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n_samples, 2))
    y = np.repeat([0, 1], [n_upper, n_lower])
    return _finish(X, y, rng)


def make_circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    """A circle of radius ``factor`` (class 1) inside the unit circle (class 0).

    Parameters
    ----------
    n_samples : int, default 200
        Number of points, split evenly between the two circles.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float, default 0.5
        Radius of the inner circle, strictly between 0 and 1.
    seed : int or None, default 0
        Seed of the random numbers (``None``: nnlib's generator).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, 1}
    """
    n_samples, noise, rng = _common_arguments(n_samples, noise, seed)
    if not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor (the inner radius) must lie strictly between 0 and 1, got {factor!r}")
    sizes = _split_evenly(n_samples, 2)
    radii = np.repeat([1.0, float(factor)], sizes)
    # endpoint=False: 0 and 2*pi are the same point, which would be drawn twice
    angles = np.concatenate([np.linspace(0.0, 2 * np.pi, n, endpoint=False) for n in sizes])
    X = radii[:, None] * np.column_stack([np.cos(angles), np.sin(angles)])
    X += noise * rng.standard_normal((n_samples, 2))
    y = np.repeat([0, 1], sizes)
    return _finish(X, y, rng)


def make_spirals(n_samples=300, n_classes=3, noise=0.05, turns=1.0, seed=0):
    """``n_classes`` spiral arms winding out from the origin, one class per arm.

    A point of arm ``k`` at radius ``r`` (from 0.1 to 1) sits at angle
    ``2*pi*k/n_classes + 2*pi*turns*r``: the arms start evenly spaced around
    the origin and each winds ``turns`` times around it on its way out.

    Parameters
    ----------
    n_samples : int, default 300
        Number of points, split evenly between the arms.
    n_classes : int, default 3
        Number of arms (at least 2).
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to each coordinate.
    turns : float, default 1.0
        How many times each arm winds around the origin (> 0).
    seed : int or None, default 0
        Seed of the random numbers (``None``: nnlib's generator).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, ..., n_classes - 1}
    """
    n_samples, noise, rng = _common_arguments(n_samples, noise, seed)
    n_classes = _check_int(n_classes, "n_classes", 2)
    if not isinstance(turns, numbers.Real) or not turns > 0:
        raise ValueError(f"turns must be a number > 0, got {turns!r}")
    sizes = _split_evenly(n_samples, n_classes)
    y = np.repeat(np.arange(n_classes), sizes)
    radius = np.concatenate([np.linspace(0.1, 1.0, n) for n in sizes])
    angle = 2 * np.pi * y / n_classes + 2 * np.pi * turns * radius
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n_samples, 2))
    return _finish(X, y, rng)


def make_xor(n_samples=200, noise=0.25, seed=0):
    """Four Gaussian clusters at ``(+-1, +-1)``; class 1 where the signs of x and y differ.

    The exclusive or of "x > 0" and "y > 0": the classic problem a single
    neuron cannot solve and one hidden layer can.

    Parameters
    ----------
    n_samples : int, default 200
        Number of points, split evenly between the four corners.
    noise : float, default 0.25
        Standard deviation of each cluster.
    seed : int or None, default 0
        Seed of the random numbers (``None``: nnlib's generator).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), int64 in {0, 1}
    """
    n_samples, noise, rng = _common_arguments(n_samples, noise, seed)
    # corners in the order (+,+) (-,-) (+,-) (-,+), so the classes alternate 0, 0, 1, 1 and
    # _split_evenly's extra points fall first on class 0, then on class 1
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    sizes = _split_evenly(n_samples, 4)
    sizes = [sizes[0], sizes[2], sizes[1], sizes[3]]
    centres = np.repeat(corners, sizes, axis=0)
    X = centres + noise * rng.standard_normal((n_samples, 2))
    y = (centres[:, 0] != centres[:, 1]).astype(np.int64)
    return _finish(X, y, rng)


def make_blobs(n_samples=300, centers=3, noise=0.5, seed=0):
    """Round Gaussian clusters, one class per cluster.

    Parameters
    ----------
    n_samples : int, default 300
        Number of points, split evenly between the clusters.
    centers : int or array_like of shape (n_classes, n_features), default 3
        Either the number of clusters, whose centres are then spread evenly
        on a circle of radius 2 around the origin, or the centres themselves.
    noise : float, default 0.5
        Standard deviation of each cluster.
    seed : int or None, default 0
        Seed of the random numbers (``None``: nnlib's generator).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        ``n_features`` is 2 unless ``centers`` gives other coordinates.
    y : ndarray of shape (n_samples,), int64 in {0, ..., n_classes - 1}
    """
    n_samples, noise, rng = _common_arguments(n_samples, noise, seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        n_classes = _check_int(centers, "centers", 1)
        angles = 2 * np.pi * np.arange(n_classes) / n_classes
        centers = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or len(centers) == 0 or centers.shape[1] == 0:
            raise ValueError(
                f"centers must be an integer or an array of shape (n_classes, n_features), "
                f"got shape {centers.shape}"
            )
    sizes = _split_evenly(n_samples, len(centers))
    y = np.repeat(np.arange(len(centers)), sizes)
    X = centers[y] + noise * rng.standard_normal((n_samples, centers.shape[1]))
    return _finish(X, y, rng)


def make_regression_1d(n_samples=100, noise=0.1, outliers=0.0, seed=0):
    """Noisy samples of the curve ``y = sin(x)`` for ``x`` uniform in ``[-pi, pi]``.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to ``y``.
    outliers : float, default 0.0
        Fraction of the points, in ``[0, 1)``, that become outliers: their
        ``y`` is pulled *upwards* by a random amount between 2 and 4, so that a
        squared error (pulled towards them) and an absolute error (barely
        moved) fit visibly different curves.
    seed : int or None, default 0
        Seed of the random numbers (``None``: nnlib's generator).

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        The inputs, in the default dtype.
    y : ndarray of shape (n_samples,)
        The targets, in the default dtype.
    """
    n_samples, noise, rng = _common_arguments(n_samples, noise, seed)
    if not isinstance(outliers, numbers.Real) or not 0 <= outliers < 1:
        raise ValueError(f"outliers is a fraction of the samples and must lie in [0, 1), got {outliers!r}")
    x = rng.uniform(-np.pi, np.pi, n_samples)
    y = np.sin(x) + noise * rng.standard_normal(n_samples)
    n_outliers = round(outliers * n_samples)
    chosen = rng.choice(n_samples, size=n_outliers, replace=False)
    y[chosen] += rng.uniform(2.0, 4.0, n_outliers)
    dtype = get_default_dtype()
    return x[:, None].astype(dtype), y.astype(dtype)


# ------------------------------------------------------ splitting and batches
def _check_same_length(X, y):
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples, got {len(X)} and {len(y)}")
    return len(X)


def train_test_split(X, y, test_size=0.25, seed=0, stratify=False):
    """Split a data set at random into a training part and a test part.

    Parameters
    ----------
    X : array_like of shape (n_samples, ...)
    y : array_like of shape (n_samples, ...)
    test_size : float, default 0.25
        Fraction of the samples, strictly between 0 and 1, that go to the test
        part (rounded up, as scikit-learn does). Both parts get at least one sample.
    seed : int or None, default 0
        Seed of the shuffle (``None``: nnlib's generator).
    stratify : bool, default False
        Split every class of ``y`` in the same proportion, so both parts keep
        the class balance (each class's share is rounded separately).

    Returns
    -------
    X_train, X_test, y_train, y_test
        In scikit-learn's order; rows keep their pairing of ``X`` and ``y``.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = _check_same_length(X, y)
    if n < 2:
        raise ValueError(f"splitting needs at least 2 samples, got {n}")
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size is a fraction and must lie strictly between 0 and 1, got {test_size!r}")
    rng = _generator(seed)
    if stratify:
        classes = np.unique(y)
        test = []
        for label in classes:
            members = rng.permutation(np.flatnonzero(y == label))
            test.append(members[: round(test_size * len(members))])
        is_test = np.zeros(n, dtype=bool)
        is_test[np.concatenate(test)] = True
        if is_test.all() or not is_test.any():
            raise ValueError(
                f"test_size={test_size} leaves one part empty after rounding per class; "
                "use more samples, another test_size or stratify=False"
            )
        train_idx, test_idx = (
            rng.permutation(np.flatnonzero(~is_test)),
            rng.permutation(np.flatnonzero(is_test)),
        )
    else:
        n_test = min(max(math.ceil(test_size * n), 1), n - 1)
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def batches(X, y, batch_size, shuffle=True, seed=None):
    """Iterate once over a data set in mini-batches: one epoch.

    Parameters
    ----------
    X : array_like or Tensor of shape (n_samples, ...)
    y : array_like or Tensor of shape (n_samples, ...)
    batch_size : int
        Samples per batch (at least 1). The last batch holds the remaining
        ``n_samples % batch_size`` samples if that is not zero.
    shuffle : bool, default True
        Visit the samples in a new random order (else in their order).
    seed : int or None, default None
        Seed of the shuffle; ``None`` draws from nnlib's generator, so that
        every epoch gets a new order and :func:`nnlib.manual_seed` repeats them.

    Returns
    -------
    iterator of (X_batch, y_batch)
        Every sample appears in exactly one batch.

    Examples
    --------
    >>> for Xb, yb in batches(X, y, batch_size=32):  # doctest: +SKIP
    ...     loss = loss_fn(model(Tensor(Xb)), yb)
    """
    n = _check_same_length(X, y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    # checked and drawn here, not in the generator, so that errors surface at the call
    order = _generator(seed).permutation(n) if shuffle else np.arange(n)
    return _iterate(X, y, order, int(batch_size))


def _iterate(X, y, order, batch_size):
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield X[chosen], y[chosen]


# ----------------------------------------------------------------- digits
def load_digits():
    """The 8x8 images of handwritten digits of the UCI repository, as scikit-learn ships them.

    1797 grey-scale images of the digits 0 to 9, each flattened to 64 pixels.
    The pixels, counts from 0 to 16 in the original, are divided by 16. A copy travels with nnlib
    (``digits.npz``, 45 KB), so reading it costs milliseconds instead of importing scikit-learn.
    Source: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
    Learning Repository, 1998 (CC BY 4.0).

    Returns
    -------
    X : ndarray of shape (1797, 64)
        Pixel intensities in ``[0, 1]``, in the default dtype.
    y : ndarray of shape (1797,)
        The digits, int64 in {0, ..., 9}.
    """
    with np.load(Path(__file__).with_name("digits.npz")) as digits:
        pixels, labels = digits["pixels"], digits["labels"]
    X = (pixels.astype(np.float64) / 16.0).astype(get_default_dtype())
    return X, labels.astype(np.int64)
