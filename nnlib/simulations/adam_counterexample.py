"""Adam's failure on a simple online problem, and AMSGrad's fix (Reddi, Kale and Kumar, ICLR 2018, Sec. 3).

On the interval [-1, 1] the loss changes every step::

    f_t(x) = C * x    if t = 1, 4, 7, ...   (once every three steps)
    f_t(x) = -x       otherwise

with ``C > 2``. Over each three steps the losses add up to ``(C - 2) * x``, so the best fixed
point is ``x = -1``, and the worst is ``x = +1``. Each step takes the optimizer's step on the
gradient (``C`` or ``-1``) and projects the result back onto [-1, 1].

With ``beta1 = 0`` and ``beta2 = 1 / (1 + C**2)`` (the paper's choice), Adam's average of squared
gradients forgets the rare large gradient ``C`` almost at once: the two steps of size about ``lr``
up outweigh the one step of about ``lr`` down, and ``x`` drifts to ``+1``. AMSGrad divides by the
largest average seen, about ``C**2``, so its two up-steps are ``C`` times shorter and ``x`` goes to
``-1``. The learning rate decays as ``lr / sqrt(t)``, as in the paper's analysis, through
:class:`nnlib.optim.lr_scheduler.LambdaLR`.
"""

from __future__ import annotations

import math

import numpy as np

from nnlib import optim
from nnlib.tensor import Tensor
from nnlib.validation import check_int, check_real

__all__ = ["online_gradient", "online_run"]


def online_gradient(t, C):
    """The gradient of ``f_t`` at step ``t = 1, 2, ...``: ``C`` once every three steps, else -1."""
    return C if t % 3 == 1 else -1.0


def online_run(amsgrad, C=3.0, lr=0.5, steps=3000, start=0.0, beta2=None, decay=True):
    """Run Adam or AMSGrad (``nnlib.optim.Adam``) on the online problem, projected onto [-1, 1].

    Parameters
    ----------
    amsgrad : bool
        Use AMSGrad's running maximum.
    C : float, default 3.0
        The large gradient, > 2.
    lr : float, default 0.5
        The learning rate of the first step, > 0.
    steps : int, default 3000
        At least 1.
    start : float, default 0.0
        In [-1, 1].
    beta2 : float, optional
        Defaults to the paper's ``1 / (1 + C**2)``; ``beta1`` is 0.
    decay : bool, default True
        Learning rate ``lr / sqrt(t)`` at step ``t``; False keeps it at ``lr``.

    Returns
    -------
    xs : ndarray of shape (steps + 1,)
        ``x`` at the start and after each step.
    average_regret : ndarray of shape (steps,)
        ``(sum over s <= t of f_s(x_s) - f_s(-1)) / t``: how much worse than always
        sitting at the best point ``-1`` the run has done, per step, up to step ``t``.
        It goes to 0 for an optimizer that converges to ``-1``.
    """
    if not isinstance(amsgrad, bool):
        raise TypeError(f"online_run: amsgrad must be True or False, got {amsgrad!r}")
    check_real(C, "C", "online_run", 2, math.inf, low_open=True)
    check_real(lr, "lr", "online_run", 0, math.inf, low_open=True)
    check_int(steps, "steps", "online_run", 1)
    check_real(start, "start", "online_run", -1, 1, high_open=False)
    beta2 = 1 / (1 + C * C) if beta2 is None else check_real(beta2, "beta2", "online_run", 0, 1)
    x = Tensor(np.array([float(start)]), requires_grad=True)
    optimizer = optim.Adam([x], lr=lr, betas=(0.0, beta2), amsgrad=amsgrad)
    schedule = optim.lr_scheduler.LambdaLR(
        optimizer, lambda epoch: 1 / math.sqrt(epoch + 1) if decay else 1.0
    )
    xs, regret = [float(start)], []
    for t in range(1, steps + 1):
        gradient = online_gradient(t, C)
        regret.append(gradient * (xs[-1] - (-1.0)))  # f_t is linear: f_t(x) - f_t(-1) = g (x + 1)
        x.grad = np.array([gradient])
        optimizer.step()
        np.clip(x.data, -1.0, 1.0, out=x.data)  # the projection onto the feasible interval
        schedule.step()
        xs.append(x.item())
    average_regret = np.cumsum(regret) / np.arange(1, steps + 1)
    return np.array(xs), average_regret
