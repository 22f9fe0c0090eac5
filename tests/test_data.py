"""Tests for nnlib.data: the toy sets' geometry and balance, the split, mini-batches and digits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import data

CLASSIFICATION_SETS = {
    "moons": (data.make_moons, 2),
    "circles": (data.make_circles, 2),
    "spirals": (data.make_spirals, 3),
    "xor": (data.make_xor, 2),
    "blobs": (data.make_blobs, 3),
}


@pytest.fixture
def float64_default():
    previous = nnlib.get_default_dtype()
    nnlib.set_default_dtype(np.float64)
    yield
    nnlib.set_default_dtype(previous)


# ------------------------------------------------------------ toy sets
@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
@pytest.mark.parametrize("n_samples", [1, 7, 50, 301])
def test_classification_sets_have_shapes_dtypes_and_balanced_classes(name, n_samples):
    make, n_classes = CLASSIFICATION_SETS[name]
    X, y = make(n_samples=n_samples)
    assert X.shape == (n_samples, 2) and X.dtype == np.float32
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_sets_follow_the_default_dtype(name, float64_default):
    X, y = CLASSIFICATION_SETS[name][0](n_samples=20)
    assert X.dtype == np.float64 and y.dtype == np.int64


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_same_seed_same_set_other_seed_other_set(name):
    make = CLASSIFICATION_SETS[name][0]
    X1, y1 = make(n_samples=40, seed=3)
    X2, y2 = make(n_samples=40, seed=3)
    X3, _ = make(n_samples=40, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_seed_none_draws_from_nnlibs_generator():
    nnlib.manual_seed(11)
    first = data.make_moons(n_samples=30, seed=None)[0]
    second = data.make_moons(n_samples=30, seed=None)[0]
    nnlib.manual_seed(11)
    again = data.make_moons(n_samples=30, seed=None)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_rows_are_shuffled_so_the_classes_interleave():
    _, y = data.make_moons(n_samples=100)
    assert 0 < y[:50].sum() < 50


def test_moons_without_noise_lie_on_their_two_half_circles():
    X, y = data.make_moons(n_samples=101, noise=0.0)
    X = X.astype(np.float64)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()


def test_circles_without_noise_have_radii_one_and_factor():
    X, y = data.make_circles(n_samples=60, noise=0.0, factor=0.3)
    radius = np.hypot(*X.astype(np.float64).T)
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, atol=1e-6)
    # no point is drawn twice (the angles leave out 2*pi, which equals 0)
    assert len(np.unique(X.round(5), axis=0)) == 60


def test_spirals_wind_outwards_with_evenly_spaced_arms():
    X, y = data.make_spirals(n_samples=400, n_classes=4, noise=0.0, turns=1.0)
    X = X.astype(np.float64)
    radius = np.hypot(*X.T)
    assert radius.min() >= 0.1 - 1e-6 and radius.max() <= 1.0 + 1e-6
    # at radius r the arm of class k points at 2*pi*k/4 + 2*pi*r
    expected_angle = 2 * np.pi * y / 4 + 2 * np.pi * radius
    difference = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected_angle)))
    np.testing.assert_allclose(difference, 0.0, atol=1e-5)


def test_xor_labels_are_the_exclusive_or_of_the_signs():
    X, y = data.make_xor(n_samples=400, noise=0.0)
    np.testing.assert_array_equal(np.abs(X), 1.0)
    np.testing.assert_array_equal(y, (X[:, 0] > 0) ^ (X[:, 1] > 0))
    # each corner holds a quarter of the points
    _, counts = np.unique(X, axis=0, return_counts=True)
    np.testing.assert_array_equal(counts, [100] * 4)


def test_blobs_scatter_around_their_centres_with_std_noise():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, -5.0]])
    X, y = data.make_blobs(n_samples=20000, centers=centers, noise=0.7)
    assert X.shape == (20000, 3)
    for k in range(2):
        points = X[y == k].astype(np.float64)
        np.testing.assert_allclose(points.mean(axis=0), centers[k], atol=0.05)
        np.testing.assert_allclose(points.std(axis=0), 0.7, rtol=0.05)


def test_blobs_by_number_sit_evenly_on_a_circle_of_radius_two():
    X, y = data.make_blobs(n_samples=12, centers=4, noise=0.0)
    centres = np.array([X[y == k][0] for k in range(4)], dtype=np.float64)
    np.testing.assert_allclose(np.hypot(*centres.T), 2.0, atol=1e-6)
    # four centres 90 degrees apart: neighbours orthogonal, opposites antiparallel
    cosines = centres @ centres.T / 4.0
    expected = np.array([[1, 0, -1, 0], [0, 1, 0, -1], [-1, 0, 1, 0], [0, -1, 0, 1]])
    np.testing.assert_allclose(cosines, expected, atol=1e-6)


def test_regression_without_noise_is_the_sine_curve():
    X, y = data.make_regression_1d(n_samples=50, noise=0.0)
    assert X.shape == (50, 1) and y.shape == (50,)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert (np.abs(X) <= np.pi).all()
    np.testing.assert_allclose(y, np.sin(X[:, 0].astype(np.float64)), atol=1e-6)


def test_regression_outliers_are_the_given_fraction_and_pulled_upwards():
    X, y = data.make_regression_1d(n_samples=200, noise=0.0, outliers=0.1, seed=5)
    residual = y.astype(np.float64) - np.sin(X[:, 0].astype(np.float64))
    moved = np.abs(residual) > 1e-5
    assert moved.sum() == 20
    assert ((residual[moved] >= 2.0 - 1e-5) & (residual[moved] <= 4.0 + 1e-5)).all()


def test_regression_noise_has_the_requested_standard_deviation():
    X, y = data.make_regression_1d(n_samples=20000, noise=0.3)
    residual = y.astype(np.float64) - np.sin(X[:, 0].astype(np.float64))
    assert abs(residual.std() - 0.3) < 0.01


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_noise_moves_points_by_about_noise(name):
    make = CLASSIFICATION_SETS[name][0]
    clean, _ = make(n_samples=4000, noise=0.0, seed=1)
    noisy, _ = make(n_samples=4000, noise=0.2, seed=1)
    # a noisy point lies near the clean shape: its distance to the nearest clean point is about
    # noise (a little less where the shape is dense), and not 0 as it would be without noise
    distance = np.sqrt(((noisy[:200, None, :] - clean[None, :, :]) ** 2).sum(-1)).min(1)
    assert 0.02 < distance.mean() < 0.35


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.make_moons(n_samples=0), "n_samples must be at least 1"),
        (lambda: data.make_moons(n_samples=2.5), "n_samples must be an integer"),
        (lambda: data.make_circles(noise=-0.1), "noise must be >= 0"),
        (lambda: data.make_xor(noise=float("nan")), "noise must be a finite number"),
        (lambda: data.make_circles(factor=1.0), "factor"),
        (lambda: data.make_spirals(n_classes=1), "n_classes must be at least 2"),
        (lambda: data.make_spirals(turns=0), "turns must be a number > 0"),
        (lambda: data.make_blobs(centers=0), "centers must be at least 1"),
        (lambda: data.make_blobs(centers=[1.0, 2.0]), r"shape \(n_classes, n_features\)"),
        (lambda: data.make_regression_1d(outliers=1.0), r"outliers .* \[0, 1\)"),
        (lambda: data.make_moons(seed=-1), "seed must be a non-negative integer or None"),
    ],
)
def test_bad_arguments_are_named_in_the_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# ------------------------------------------------------------ the split
def _indexed_set(n, n_classes=3):
    """X's first column is the row number, so pairs can be traced; y cycles through the classes."""
    X = np.column_stack([np.arange(n), np.zeros(n)]).astype(np.float64)
    return X, np.arange(n) % n_classes


@given(n=st.integers(2, 200), test_size=st.floats(0.01, 0.99), seed=st.integers(0, 2**16))
@settings(max_examples=60, deadline=None)
def test_split_partitions_the_rows_and_keeps_pairs(n, test_size, seed):
    X, y = _indexed_set(n)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=test_size, seed=seed)
    assert len(X_test) == min(max(int(np.ceil(test_size * n)), 1), n - 1)
    rows = np.concatenate([X_train[:, 0], X_test[:, 0]]).astype(int)
    np.testing.assert_array_equal(np.sort(rows), np.arange(n))
    np.testing.assert_array_equal(y_train, X_train[:, 0].astype(int) % 3)
    np.testing.assert_array_equal(y_test, X_test[:, 0].astype(int) % 3)


def test_split_is_reproducible_and_random():
    X, y = _indexed_set(100)
    a = data.train_test_split(X, y, seed=1)[1]
    b = data.train_test_split(X, y, seed=1)[1]
    c = data.train_test_split(X, y, seed=2)[1]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(np.sort(a[:, 0]), np.arange(75, 100))  # not simply the last rows


def test_stratified_split_keeps_every_class_proportion():
    X = np.arange(100.0)[:, None]
    y = np.repeat([0, 1, 2], [60, 30, 10])
    _, _, y_train, y_test = data.train_test_split(X, y, test_size=0.2, stratify=True, seed=0)
    np.testing.assert_array_equal(np.bincount(y_test), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_train), [48, 24, 8])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test_size": 0.0}, "test_size .* strictly between 0 and 1"),
        ({"test_size": 1.0}, "test_size .* strictly between 0 and 1"),
        ({"test_size": 30}, "test_size .* strictly between 0 and 1"),
    ],
)
def test_split_rejects_bad_test_size(kwargs, message):
    X, y = _indexed_set(10)
    with pytest.raises(ValueError, match=message):
        data.train_test_split(X, y, **kwargs)


def test_split_rejects_mismatched_lengths_and_too_few_samples():
    with pytest.raises(ValueError, match="same number of samples, got 5 and 4"):
        data.train_test_split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least 2 samples"):
        data.train_test_split(np.zeros((1, 2)), np.zeros(1))


# ------------------------------------------------------------ mini-batches
@given(n=st.integers(1, 120), batch_size=st.integers(1, 50), shuffle=st.booleans(), seed=st.integers(0, 99))
@settings(max_examples=80, deadline=None)
def test_batches_cover_every_sample_exactly_once(n, batch_size, shuffle, seed):
    X, y = _indexed_set(n)
    got = list(data.batches(X, y, batch_size, shuffle=shuffle, seed=seed))
    sizes = [len(Xb) for Xb, _ in got]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    rows = np.concatenate([Xb[:, 0] for Xb, _ in got]).astype(int)
    np.testing.assert_array_equal(np.sort(rows), np.arange(n))
    if not shuffle:
        np.testing.assert_array_equal(rows, np.arange(n))
    for Xb, yb in got:
        np.testing.assert_array_equal(yb, Xb[:, 0].astype(int) % 3)


def test_batches_shuffle_reproducibly_and_differ_between_epochs():
    X, y = _indexed_set(50)
    order = lambda **kw: np.concatenate([Xb[:, 0] for Xb, _ in data.batches(X, y, 8, **kw)])
    np.testing.assert_array_equal(order(seed=4), order(seed=4))
    assert not np.array_equal(order(seed=4), np.arange(50))
    nnlib.manual_seed(0)
    epoch1, epoch2 = order(), order()
    assert not np.array_equal(epoch1, epoch2)
    nnlib.manual_seed(0)
    np.testing.assert_array_equal(order(), epoch1)


def test_batches_work_on_tensors():
    X, y = _indexed_set(10)
    got = list(data.batches(nnlib.Tensor(X), y, 4, shuffle=False))
    assert isinstance(got[0][0], nnlib.Tensor)
    assert [len(Xb) for Xb, _ in got] == [4, 4, 2]


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True])
def test_batches_reject_bad_batch_size_at_the_call(batch_size):
    X, y = _indexed_set(10)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        data.batches(X, y, batch_size)  # no iteration: the error must come at once


def test_batches_reject_mismatched_lengths_at_the_call():
    with pytest.raises(ValueError, match="same number of samples, got 10 and 9"):
        data.batches(np.zeros((10, 2)), np.zeros(9), 4)


# ------------------------------------------------------------ digits
def test_load_digits_scales_the_pixel_counts_to_the_unit_interval():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    counts = X.astype(np.float64) * 16
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-5)  # the originals are counts 0..16
    np.testing.assert_array_equal(np.unique(y), np.arange(10))


def test_the_bundled_digits_are_scikit_learns():
    datasets = pytest.importorskip("sklearn.datasets")  # an oracle only (requirements-dev.txt)
    X, y = data.load_digits()
    original = datasets.load_digits()
    np.testing.assert_array_equal(X.astype(np.float64) * 16, original.data)
    np.testing.assert_array_equal(y, original.target)
