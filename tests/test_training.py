"""End to end: MLPs built and trained with nnlib alone learn real classification tasks."""

import numpy as np

import nnlib
from nnlib import data, losses, nn, optim


def train(model, X, y, optimizer, epochs, batch_size, seed=0):
    """Mini-batch training with cross-entropy; returns the loss of every step."""
    history = []
    for epoch in range(epochs):
        for X_batch, y_batch in data.batches(X, y, batch_size, seed=seed + epoch):
            loss = losses.cross_entropy(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history.append(loss.item())
    return history


def accuracy(model, X, y):
    with nnlib.no_grad():
        return float(np.mean(np.argmax(model(X).data, axis=1) == y))


def test_mlp_learns_the_moons():
    nnlib.manual_seed(0)
    X, y = data.make_moons(n_samples=1000, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.25, seed=0)
    model = nn.MLP([2, 16, 16, 2])
    history = train(
        model, X_train, y_train, optim.Adam(model.parameters(), lr=0.01), epochs=40, batch_size=32
    )
    assert np.mean(history[-20:]) < 0.25 * np.mean(history[:20])
    assert accuracy(model, X_test, y_test) >= 0.97


def test_mlp_learns_the_digits():
    nnlib.manual_seed(0)
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.25, seed=0)
    model = nn.MLP([64, 128, 10])
    train(
        model,
        X_train,
        y_train,
        optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
        epochs=20,
        batch_size=32,
    )
    assert accuracy(model, X_test, y_test) >= 0.95


def test_float64_training_follows_the_same_path_as_float32():
    """The dtype changes rounding only: after a few steps the two models still agree closely."""
    X, y = data.make_moons(n_samples=200, seed=1)
    final = {}
    for dtype in (np.float32, np.float64):
        nnlib.manual_seed(3)
        model = nn.MLP([2, 8, 2], activation="tanh", dtype=dtype)
        train(model, X.astype(dtype), y, optim.SGD(model.parameters(), lr=0.1), epochs=3, batch_size=50)
        assert all(p.dtype == dtype for p in model.parameters())
        final[dtype] = model[0].weight.data
    np.testing.assert_allclose(final[np.float32], final[np.float64], rtol=1e-3, atol=1e-5)
