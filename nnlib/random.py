"""The library's random number generator, so that every example and initialisation is reproducible."""

import numpy as np

_rng = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed the generator that initialises parameters (the spelling of ``torch.manual_seed``)."""
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng():
    """Return the library's ``numpy.random.Generator``."""
    return _rng
