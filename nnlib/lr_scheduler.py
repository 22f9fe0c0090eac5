"""Learning-rate schedules with the names, arguments and arithmetic of ``torch.optim.lr_scheduler``.

A scheduler holds an optimizer and rewrites ``optimizer.param_groups[i]["lr"]`` once per
:meth:`LRScheduler.step`, usually once per epoch, *after* that epoch's ``optimizer.step()``
calls::

    optimizer = nnlib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = nnlib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20)
    for epoch in range(20):
        for X, y in nnlib.data.batches(X_train, y_train, batch_size=32, seed=epoch):
            optimizer.zero_grad()
            nnlib.losses.cross_entropy(model(X), y).backward()
            optimizer.step()
        scheduler.step()

``last_epoch`` counts the calls of ``step`` (0 right after construction), and
``get_last_lr()`` returns the learning rates it set last, one per parameter group. The
rates are computed the way torch computes them, each from the previous one (so a rate
changed by hand between steps is carried on), which makes every value equal to torch's to
the last bit. This module is also reachable as ``nnlib.optim.lr_scheduler``, as in torch.
"""

from __future__ import annotations

import math

from nnlib.validation import check_int, check_real

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "ExponentialLR", "CosineAnnealingLR"]


class LRScheduler:
    """Base class: keeps ``base_lrs`` and ``last_epoch``; subclasses define :meth:`get_lr`.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
        The optimizer whose ``param_groups[i]["lr"]`` the scheduler sets.
    last_epoch : int, default -1
        -1 starts a new schedule: each group's current "lr" is stored as its
        "initial_lr". A value >= 0 resumes a schedule at that epoch and needs
        "initial_lr" in every group (as a scheduler created earlier left it).

    Attributes
    ----------
    base_lrs : list of float
        Each group's "initial_lr", the rate the schedule starts from.
    last_epoch : int
        How many times :meth:`step` has been called (0 after construction).
    """

    def __init__(self, optimizer, last_epoch=-1):
        from nnlib.optim import Optimizer  # optim imports this module at its end

        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{name} needs an nnlib.optim optimizer (e.g. optim.SGD(...)), got {type(optimizer).__name__}"
            )
        check_int(last_epoch, "last_epoch", name, -1)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"{name}: resuming at last_epoch={last_epoch} needs 'initial_lr' in param_groups[{i}], "
                    "which a scheduler created with last_epoch=-1 stores; none was found"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._initial = True  # the constructor's own step keeps the rates as they are
        try:
            self.step()
        finally:
            self._initial = False

    def get_lr(self):
        """The learning rates for epoch ``last_epoch``, one per parameter group."""
        raise NotImplementedError

    def get_last_lr(self):
        """The learning rates the last :meth:`step` set, one per parameter group (a new list)."""
        return list(self._last_lr)

    def step(self):
        """Advance ``last_epoch`` by one and write the new rates into the optimizer's groups."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def current_lrs(self):
        """The groups' learning rates as they are now."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"


class LambdaLR(LRScheduler):
    """The rate at epoch ``t`` is ``base_lr * lr_lambda(t)``.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    lr_lambda : callable or list of callables
        Maps the epoch (an int) to a factor; a list gives one function per parameter group.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(getattr(optimizer, "param_groups", [None]))  # a non-optimizer is refused below
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(lambdas) != groups:
            raise ValueError(
                f"LambdaLR: expected one lr_lambda per parameter group ({groups}), got {len(lambdas)}"
            )
        for function in lambdas:
            if not callable(function):
                raise TypeError(
                    f"LambdaLR: lr_lambda must be a function of the epoch, e.g. lambda epoch: 0.9 ** epoch; "
                    f"got {type(function).__name__}"
                )
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * factor(self.last_epoch) for base_lr, factor in zip(self.base_lrs, self.lr_lambdas)]


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: ``base_lr * gamma ** (t // step_size)``.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    step_size : int
        Epochs between two reductions, >= 1.
    gamma : float, default 0.1
        Factor of each reduction, >= 0.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        check_int(step_size, "step_size", "StepLR", 1)
        check_real(gamma, "gamma", "StepLR", 0, math.inf)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.current_lrs()
        return [lr * self.gamma for lr in self.current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``base_lr * gamma ** t``.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    gamma : float
        Factor per epoch, >= 0.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        check_real(gamma, "gamma", "ExponentialLR", 0, math.inf)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._initial:
            return self.current_lrs()
        return [lr * self.gamma for lr in self.current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from ``base_lr`` down to ``eta_min`` in ``T_max`` epochs (Loshchilov and Hutter, 2017).

    The rate at epoch ``t`` is::

        eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    After ``T_max`` epochs it climbs back up the cosine, as torch's does (SGDR's warm
    restarts are a separate scheduler in torch). Like torch, each rate is computed from the
    previous one by the ratio of two consecutive cosine values.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    T_max : int
        Epochs from the start to the lowest rate, >= 1.
    eta_min : float, default 0.0
        The lowest rate, >= 0.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        check_int(T_max, "T_max", "CosineAnnealingLR", 1)
        check_real(eta_min, "eta_min", "CosineAnnealingLR", 0, math.inf)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self.current_lrs()
        if self._step_count == 1 and t > 0:  # resumed: start from the closed form
            return [low + (base - low) * (1 + math.cos(t * math.pi / period)) / 2 for base in self.base_lrs]
        if (t - 1 - period) % (2 * period) == 0:  # just past the bottom, where the ratio below is 0 / 0
            return [
                lr + (base - low) * (1 - math.cos(math.pi / period)) / 2
                for lr, base in zip(self.current_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - low) + low for lr in self.current_lrs()]
