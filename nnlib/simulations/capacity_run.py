"""Under- and overfitting in one run: a wide MLP fitting a few noisy samples of sin(x).

Full-batch Adam fits the curve first and the noise later, so the test loss falls, reaches a
minimum and rises again while the training loss keeps falling.
"""

import math
import numbers

import numpy as np

from nnlib import data, losses, nn, optim
from nnlib.random import fork_rng, manual_seed
from nnlib.tensor import Tensor, no_grad

__all__ = ["CapacityRun"]


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


class CapacityRun:
    """One training run recorded at about 60 checkpoints.

    Parameters
    ----------
    hidden : tuple of int, default (100,)
        Hidden layer widths of the MLP (tanh), each >= 1.
    steps : int, default 2000
        Training steps (full-batch Adam), >= 1.
    lr : float, default 0.01
        Adam's learning rate, > 0.
    n_train : int, default 15
        Training points, >= 2; the test set has 200.
    noise : float, default 0.3
        Standard deviation of the noise on sin(x), >= 0.
    seed : int, default 0
        Seed of the initialisation; the data use ``seed + 1`` and ``seed + 2``.

    Attributes
    ----------
    X_train, y_train, X_test, y_test : ndarrays of shape (n, 1) and (n,)
    curve_x : ndarray of shape (200,)
        Where the model's prediction is recorded.
    checkpoints : list of int
        Steps at which predictions and test loss were recorded (0 and about 60 log-spaced steps).
    predictions : dict of int -> ndarray of shape (200,)
    train_loss : ndarray of shape (steps + 1,)
        Mean squared error on the training set before each step (and after the last).
    test_loss : dict of int -> float
        Mean squared error on the test set at each checkpoint.
    """

    def __init__(self, hidden=(100,), steps=2000, lr=0.01, n_train=15, noise=0.3, seed=0):
        hidden = tuple(hidden)
        for width in hidden:
            _check_int("each hidden width", width, 1)
        _check_int("steps", steps, 1)
        _check_int("n_train", n_train, 2)
        _check_int("seed", seed, 0)
        if not (isinstance(lr, numbers.Real) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        if not (isinstance(noise, numbers.Real) and math.isfinite(noise) and noise >= 0):
            raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
        self.hidden, self.steps, self.lr = hidden, int(steps), float(lr)
        self.X_train, self.y_train = data.make_regression_1d(n_samples=n_train, noise=noise, seed=seed + 1)
        self.X_test, self.y_test = data.make_regression_1d(n_samples=200, noise=noise, seed=seed + 2)
        self.curve_x = np.linspace(-np.pi, np.pi, 200)
        marks = np.unique(np.round(np.logspace(0, math.log10(self.steps), 60)).astype(int))
        self.checkpoints = [0, *marks.tolist()]
        with fork_rng():
            manual_seed(seed)
            self.model = nn.MLP([1, *self.hidden, 1], activation="tanh")
        optimizer = optim.Adam(self.model.parameters(), lr=self.lr)
        inputs = Tensor(self.X_train)
        self.predictions, self.test_loss, train_loss = {}, {}, []
        checkpoints = set(self.checkpoints)
        for step in range(self.steps + 1):
            if step in checkpoints:
                self._record(step)
            optimizer.zero_grad()
            loss = losses.mse(self.model(inputs).reshape(-1), self.y_train)
            train_loss.append(loss.item())
            if step < self.steps:
                loss.backward()
                optimizer.step()
        self.train_loss = np.array(train_loss)

    def _record(self, step):
        with no_grad():
            curve = self.model(Tensor(self.curve_x[:, None].astype(self.X_train.dtype)))
            test = losses.mse(self.model(Tensor(self.X_test)).reshape(-1), self.y_test)
        self.predictions[step] = curve.data.reshape(-1).astype(float)
        self.test_loss[step] = test.item()

    def regime(self, step, tolerance=1.2):
        """ "underfitting", "good fit" or "overfitting" at a checkpoint, from the test loss.

        Within ``tolerance`` times the lowest test loss it is a good fit; before that minimum,
        underfitting (training error still high too); after it, overfitting (the gap grows).
        """
        if step not in self.test_loss:
            raise ValueError(f"step must be one of the checkpoints {self.checkpoints}, got {step!r}")
        best_step = min(self.test_loss, key=self.test_loss.get)
        if self.test_loss[step] <= tolerance * self.test_loss[best_step]:
            return "good fit"
        return "underfitting" if step < best_step else "overfitting"
