"""The library's random number generator, so that every example and initialisation is reproducible."""

import contextlib

import numpy as np

_rng = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed the generator that initialises parameters (the spelling of ``torch.manual_seed``)."""
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng():
    """Return the library's ``numpy.random.Generator``."""
    return _rng


@contextlib.contextmanager
def fork_rng():
    """Use the generator freely in a block, then give it back in the state it had before.

    Like ``torch.random.fork_rng``: inside, ``manual_seed`` makes one run reproducible without
    changing the random stream of the code around it.

    Examples
    --------
    >>> with fork_rng():
    ...     manual_seed(0)
    ...     first = get_rng().standard_normal()
    """
    saved = _rng.bit_generator.state
    try:
        yield
    finally:
        get_rng().bit_generator.state = saved
