"""Argument checks shared by nnlib's modules, with scikit-learn's wording.

Each check returns the value as a plain Python number, or raises an error that
names the argument and its owner, says what was expected and shows what came::

    The 'lr' parameter of SGD must be a float in the range [0, inf). Got -0.1 instead.

``TypeError`` for a value of the wrong kind (a bool is not a number here),
``ValueError`` for one out of range (NaN is always out of range).
"""

import math
import numbers


def _interval(low, high, low_open, high_open):
    return f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_real(value, name, owner, low=-math.inf, high=math.inf, low_open=False, high_open=True):
    """``value`` as a float, if it is a real number in the interval from ``low`` to ``high``.

    Parameters
    ----------
    value : object
    name : str
        The argument's name, as the caller wrote it.
    owner : str
        The function or class that received it.
    low, high : float
        The ends of the interval; by default ``low`` is included and ``high`` is
        not, so the default ``high=math.inf`` asks for a finite number.
    low_open, high_open : bool
        Whether each end is excluded.
    """
    interval = _interval(low, high, low_open, high_open)
    message = f"The {name!r} parameter of {owner} must be a float in the range {interval}. Got {value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{message} of type {type(value).__name__} instead.")
    above_low = value > low if low_open else value >= low
    below_high = value < high if high_open else value <= high
    if not (above_low and below_high):  # NaN fails both comparisons
        raise ValueError(f"{message} instead.")
    return float(value)


def check_int(value, name, owner, low, high=math.inf):
    """``value`` as an int, if it is an integer from ``low`` to ``high`` (both included).

    Parameters
    ----------
    value : object
    name, owner : str
        As for :func:`check_real`.
    low, high : int
    """
    interval = _interval(low, high, False, high == math.inf)
    message = f"The {name!r} parameter of {owner} must be an int in the range {interval}. Got {value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{message} of type {type(value).__name__} instead.")
    if not low <= value <= high:
        raise ValueError(f"{message} instead.")
    return int(value)
