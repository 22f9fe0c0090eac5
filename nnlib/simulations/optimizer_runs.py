"""Optimizers at work on the two-dimensional landscapes: momentum in the canyon, and a race of eight.

:func:`momentum_run` is plain SGD, heavy-ball momentum or Nesterov momentum on
``landscapes.CANYON``; :func:`race` runs the eight optimizers of the lecture from one start with
the learning rates of :data:`RACE_LEARNING_RATES`, tuned per landscape.
"""

from nnlib import landscapes, optim

__all__ = ["RACE_LEARNING_RATES", "RACE_OPTIMIZERS", "momentum_run", "race"]

RACE_OPTIMIZERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "Adadelta": lambda params, lr: optim.Adadelta(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
    "AMSGrad": lambda params, lr: optim.AMSGrad(params, lr=lr),
}
"""The racers: name -> (parameters, learning rate) -> optimizer. Momentum is 0.9 where used."""

_CANYON_RATES = {
    "SGD": 0.15,
    "momentum": 0.02,
    "Nesterov": 0.02,
    "Adagrad": 1.0,
    "Adadelta": 10.0,
    "RMSprop": 0.1,
    "Adam": 0.3,
    "AMSGrad": 0.3,
}

RACE_LEARNING_RATES = {
    "canyon": _CANYON_RATES,
    "rotated canyon": dict(_CANYON_RATES),  # the same problem turned, so the same rates: a fair comparison
    "rosenbrock": {
        "SGD": 1e-3,
        "momentum": 1e-3,
        "Nesterov": 1e-3,
        "Adagrad": 1.0,
        "Adadelta": 10.0,
        "RMSprop": 0.1,
        "Adam": 0.3,
        "AMSGrad": 0.3,
    },
    "beale": {
        "SGD": 0.01,
        "momentum": 1e-3,
        "Nesterov": 1e-3,
        "Adagrad": 1.0,
        "Adadelta": 10.0,
        "RMSprop": 0.03,
        "Adam": 0.1,
        "AMSGrad": 0.1,
    },
    "saddle": {
        "SGD": 0.03,
        "momentum": 0.01,
        "Nesterov": 0.01,
        "Adagrad": 0.1,
        "Adadelta": 3.0,
        "RMSprop": 3e-3,
        "Adam": 0.01,
        "AMSGrad": 0.01,
    },
}
"""Starting learning rates per landscape (150 steps), each picked from a sweep over powers of about 3
so that every racer makes visible progress without diverging."""


def momentum_run(lr, momentum, nesterov=False, start=None, steps=60):
    """SGD with (heavy-ball or Nesterov) momentum on ``landscapes.CANYON``.

    Parameters
    ----------
    lr : float
    momentum : float
        0 gives plain SGD.
    nesterov : bool
        Nesterov momentum; it needs some momentum, so with ``momentum == 0`` it is plain SGD.
    start : (float, float), optional
        Defaults to the canyon's start.
    steps : int

    Returns
    -------
    Trajectory
        The path; ``diverged_at`` is the first step whose loss exceeded ``landscapes.MAX_LOSS``.
    """
    nesterov = bool(nesterov) and momentum > 0
    return landscapes.optimize(
        landscapes.CANYON,
        lambda params: optim.SGD(params, lr=lr, momentum=momentum, nesterov=nesterov),
        start=start,
        steps=steps,
    )


def race(landscape, steps, learning_rates=None):
    """Run every optimizer of :data:`RACE_OPTIMIZERS` from the landscape's start.

    Parameters
    ----------
    landscape : str
        A key of :data:`RACE_LEARNING_RATES` ("canyon", "rotated canyon", "rosenbrock", "beale",
        "saddle").
    steps : int
    learning_rates : dict of str -> float, optional
        Learning rate per racer name; racers left out use :data:`RACE_LEARNING_RATES`.

    Returns
    -------
    dict of str -> Trajectory
        The racers' paths, in the order of :data:`RACE_OPTIMIZERS`.
    """
    if landscape not in RACE_LEARNING_RATES:
        raise ValueError(f"landscape must be one of {list(RACE_LEARNING_RATES)}, got {landscape!r}")
    rates = dict(RACE_LEARNING_RATES[landscape])
    unknown = set(learning_rates or {}) - set(RACE_OPTIMIZERS)
    if unknown:
        raise ValueError(
            f"learning_rates names unknown racers {sorted(unknown)}; racers: {list(RACE_OPTIMIZERS)}"
        )
    rates.update(learning_rates or {})
    surface = landscapes.LANDSCAPES[landscape]
    return {
        name: landscapes.optimize(
            surface, lambda params, make=make, lr=rates[name]: make(params, lr), steps=steps
        )
        for name, make in RACE_OPTIMIZERS.items()
    }
