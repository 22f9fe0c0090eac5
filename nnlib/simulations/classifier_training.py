"""A small MLP trained epoch by epoch on a toy two-dimensional data set: the training playground's run.

The run stops, and says so, when it has diverged by a stated rule: the training loss is not
finite, or it has stayed above ``DIVERGENCE_FACTOR`` (3) times ln(classes) for
``DIVERGENCE_PATIENCE`` (5) epochs in a row. ln(classes) is the cross-entropy of guessing every
class with equal probability, where an untrained network starts; a network whose loss stays at
several times that is confidently wrong about many points, which training does not recover from
(an optimizer bouncing between such losses has blown up, even if the numbers stay finite).
"""

import math
import numbers

import numpy as np

from nnlib import data, losses, nn, optim
from nnlib.random import fork_rng, manual_seed
from nnlib.tensor import NonFiniteError, Tensor, no_grad

__all__ = [
    "DIVERGENCE_FACTOR",
    "DIVERGENCE_PATIENCE",
    "PLAYGROUND_ACTIVATIONS",
    "PLAYGROUND_DATASETS",
    "PLAYGROUND_OPTIMIZERS",
    "ClassifierTraining",
    "make_playground_optimizer",
]

PLAYGROUND_DATASETS = {
    "moons": lambda: data.make_moons(n_samples=200, noise=0.2, seed=0),
    "circles": lambda: data.make_circles(n_samples=200, noise=0.1, seed=0),
    "spiral": lambda: data.make_spirals(n_samples=300, n_classes=2, noise=0.08, turns=1.5, seed=0),
    "XOR": lambda: data.make_xor(n_samples=200, noise=0.3, seed=0),
}
"""The toy data sets by name: each a function returning X of shape (n, 2) and labels y of shape (n,)."""

PLAYGROUND_ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
PLAYGROUND_OPTIMIZERS = ("SGD", "Adam", "RMSprop", "Adagrad")

DIVERGENCE_FACTOR = 3.0
"""A training loss above this many times ln(classes) counts as blown up ..."""
DIVERGENCE_PATIENCE = 5
"""... when it stays there for this many epochs in a row."""


def _is_positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def make_playground_optimizer(name, params, lr, momentum=0.0):
    """The optimizer ``name``, one of :data:`PLAYGROUND_OPTIMIZERS`; SGD and RMSprop use ``momentum``."""
    if name == "SGD":
        return optim.SGD(params, lr=lr, momentum=momentum)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr, momentum=momentum)
    if name == "Adam":
        return optim.Adam(params, lr=lr)
    if name == "Adagrad":
        return optim.Adagrad(params, lr=lr)
    raise ValueError(f"optimizer must be one of {list(PLAYGROUND_OPTIMIZERS)}, got {name!r}")


class ClassifierTraining:
    """An MLP classifier with cross-entropy loss, trained one epoch at a time.

    The data set is split 70/30 into training and test set (seed 0) and the model is initialised
    with seed ``seed``, so the same arguments always give the same run.

    Parameters
    ----------
    dataset : str, default "moons"
        A key of :data:`PLAYGROUND_DATASETS`.
    hidden : tuple of int, default (16, 16)
        Hidden layer widths, each >= 1.
    activation : str, default "relu"
        One of :data:`PLAYGROUND_ACTIVATIONS`.
    optimizer : str, default "Adam"
        One of :data:`PLAYGROUND_OPTIMIZERS`.
    lr : float, default 0.01
        Learning rate, > 0.
    momentum : float, default 0.9
        Momentum of SGD and RMSprop, in [0, 1); ignored by Adam and Adagrad.
    batch_size : int or None, default 16
        Mini-batch size; None trains on the full batch (one step per epoch).
    seed : int, default 0

    Attributes
    ----------
    X_train, X_test : ndarrays of shape (n, 2)
    y_train, y_test : ndarrays of shape (n,)
    n_classes : int
    model : nnlib.nn.MLP
    epoch : int
        Epochs trained so far.
    history : dict of str -> list of float
        "train" and "test" loss after each epoch (the first entry is before training).
    divergence_bound : float
        ``DIVERGENCE_FACTOR * ln(n_classes)``, the loss above which epochs count towards divergence.
    diverged_at : int or None
        The epoch at which the run was found to have diverged (see the module's rule); it trains
        no further.
    """

    def __init__(
        self,
        dataset="moons",
        hidden=(16, 16),
        activation="relu",
        optimizer="Adam",
        lr=0.01,
        momentum=0.9,
        batch_size=16,
        seed=0,
    ):
        if dataset not in PLAYGROUND_DATASETS:
            raise ValueError(f"dataset must be one of {list(PLAYGROUND_DATASETS)}, got {dataset!r}")
        if activation not in PLAYGROUND_ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(PLAYGROUND_ACTIVATIONS)}, got {activation!r}")
        hidden = tuple(hidden)
        if not hidden or not all(_is_positive_int(width) for width in hidden):
            raise ValueError(f"hidden must be one or more layer widths (integers >= 1), got {hidden!r}")
        if not (isinstance(lr, numbers.Real) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        if not (isinstance(momentum, numbers.Real) and 0 <= momentum < 1):
            raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
        if batch_size is not None and not _is_positive_int(batch_size):
            raise ValueError(f"batch_size must be an integer >= 1 or None (full batch), got {batch_size!r}")
        X, y = PLAYGROUND_DATASETS[dataset]()
        self.X_train, self.X_test, self.y_train, self.y_test = data.train_test_split(
            X, y, test_size=0.3, seed=0
        )
        self.n_classes = int(y.max()) + 1
        self.batch_size = len(self.X_train) if batch_size is None else int(batch_size)
        with fork_rng():
            manual_seed(seed)
            self.model = nn.MLP([2, *hidden, self.n_classes], activation=activation)
        self.optimizer = make_playground_optimizer(optimizer, self.model.parameters(), lr, momentum)
        self.divergence_bound = DIVERGENCE_FACTOR * math.log(self.n_classes)
        self.epoch = 0
        self.diverged_at = None
        self.history = {
            "train": [self.loss(self.X_train, self.y_train)],
            "test": [self.loss(self.X_test, self.y_test)],
        }

    def loss(self, X, y):
        """The model's mean cross-entropy on inputs X of shape (n, 2) and labels y of shape (n,)."""
        with no_grad(), np.errstate(all="ignore"):
            return float(losses.cross_entropy(self.model(Tensor(X)), y).item())

    def accuracy(self, X, y):
        """The fraction of points whose highest score is their class."""
        with no_grad(), np.errstate(all="ignore"):
            return float(np.mean(np.argmax(self.model(Tensor(X)).data, axis=1) == y))

    def train_epoch(self):
        """One epoch of mini-batch training (batches shuffled with the epoch as seed).

        Returns
        -------
        bool
            False if the run has diverged (now or before) and trained no further.
        """
        if self.diverged_at is not None:
            return False
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                for Xb, yb in data.batches(self.X_train, self.y_train, self.batch_size, seed=self.epoch):
                    self.optimizer.zero_grad()
                    losses.cross_entropy(self.model(Tensor(Xb)), yb).backward()
                    self.optimizer.step()
        except NonFiniteError:
            self.epoch += 1
            self.history["train"].append(math.nan)
            self.history["test"].append(math.nan)
            self.diverged_at = self.epoch
            return False
        self.epoch += 1
        self.history["train"].append(self.loss(self.X_train, self.y_train))
        self.history["test"].append(self.loss(self.X_test, self.y_test))
        if self.has_diverged():
            self.diverged_at = self.epoch
            return False
        return True

    def has_diverged(self):
        """The divergence rule on the history so far (see the module's docstring)."""
        train = self.history["train"]
        if not math.isfinite(train[-1]):
            return True
        recent = train[1:][-DIVERGENCE_PATIENCE:]
        return len(recent) == DIVERGENCE_PATIENCE and min(recent) > self.divergence_bound

    def train(self, epochs):
        """Train up to ``epochs`` epochs, stopping early if the run diverges; returns the epochs done."""
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
            raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
        done = 0
        while done < epochs and self.diverged_at is None:
            self.train_epoch()
            done += 1
        return done
