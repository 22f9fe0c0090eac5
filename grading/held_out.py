"""Digits for grading exercise 6.3 on images outside the students' training data.

By default the verdict makes new images from the fifth of the bundled digits kept from the
students (:func:`shifted_and_noisy`, with a seed that only the verdict holds). The digits bundled
with ``nnlib`` are public, though, so any image made from them, however hidden its recipe, is close
to images a student can train on: a network trained on all 1797 scores higher on the default
images than one that kept them aside. Truly held-out handwriting has to come from the instructor.
``python -m grading a6_training --held-out-digits FILE`` grades 6.3 on the images in ``FILE`` instead:

* the training part of UCI's "Optical Recognition of Handwritten Digits" (``optdigits.tra``:
  3823 images by 30 writers, none of them among the 13 whose 1797 images ``nnlib`` bundles; it
  is public as well, so a student who downloads it could still train on it), or
* any file in its format, such as digits the instructor collected: one image per line, 64
  integers from 0 to 16 (an 8×8 grid of counts of ink pixels, row by row), then the label from 0
  to 9, separated by commas.

The grader reads the file in its own process; the sandboxed notebooks never see it or its path.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

ENVIRONMENT_VARIABLE = "NN_COURSE_HELD_OUT_DIGITS"
PIXELS = 64
MAX_COUNT = 16
MAX_IMAGES = 100_000
MIN_IMAGES = 100


class HeldOutDigitsError(ValueError):
    """A held-out digits file that is not in the expected format; the message says where and why."""


def read_digits(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a file of digits in UCI's optdigits format.

    Parameters
    ----------
    path : str or path-like
        A text file: one image per line, 64 integers in [0, 16] then a label in [0, 9], comma
        separated. Blank lines are ignored.

    Returns
    -------
    images : ndarray, shape (n, 64), float64
        The pixel counts divided by 16, in [0, 1], as ``nnlib.data.load_digits`` gives them.
    labels : ndarray, shape (n,), int64

    Raises
    ------
    HeldOutDigitsError
        If the file cannot be read, or a line is not 65 integers in range (the message names the
        first such line), or it holds fewer than 100 or more than 100 000 images.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise HeldOutDigitsError(f"cannot read the held-out digits {path}: {error}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        rows.append(_parse_line(line, number, path))
        if len(rows) > MAX_IMAGES:
            raise HeldOutDigitsError(f"{path}: more than {MAX_IMAGES} images; keep a sample")
    if len(rows) < MIN_IMAGES:
        raise HeldOutDigitsError(
            f"{path}: {len(rows)} images; an accuracy needs at least {MIN_IMAGES} to mean anything"
        )
    table = np.array(rows, dtype=np.int64)
    return table[:, :PIXELS] / MAX_COUNT, table[:, PIXELS]


def _parse_line(line: str, number: int, path: Path) -> list[int]:
    fields = line.split(",")
    if len(fields) != PIXELS + 1:
        raise HeldOutDigitsError(
            f"{path}, line {number}: {len(fields)} comma-separated values; "
            f"expected {PIXELS + 1} (64 pixel counts, then the label)"
        )
    try:
        values = [int(field) for field in fields]
    except ValueError:
        shown = line.strip()[:60]
        raise HeldOutDigitsError(f"{path}, line {number}: expected integers, got {shown!r}") from None
    pixels, label = values[:PIXELS], values[PIXELS]
    if not all(0 <= count <= MAX_COUNT for count in pixels):
        bad = next(count for count in pixels if not 0 <= count <= MAX_COUNT)
        raise HeldOutDigitsError(f"{path}, line {number}: pixel count {bad}; expected 0 to {MAX_COUNT}")
    if not 0 <= label <= 9:
        raise HeldOutDigitsError(f"{path}, line {number}: label {label}; expected a digit 0 to 9")
    return values


def shifted_and_noisy(images, seed):
    """New images made from digits: each blended a quarter of the way towards a copy of itself
    shifted by one pixel in a random direction (or not shifted), plus noise of standard deviation
    0.05, clipped to [0, 1].

    Parameters
    ----------
    images : array_like, shape (n, 64)
        8×8 digits, flattened, in [0, 1].
    seed : int
        Draws the shifts and the noise.

    Returns
    -------
    ndarray, shape (n, 64), float64
    """
    rng = np.random.default_rng(seed)
    grids = np.asarray(images, dtype=np.float64).reshape(-1, 8, 8)
    blended = np.empty_like(grids)
    for index, grid in enumerate(grids):
        dy, dx = rng.choice([-1, 0, 1], size=2)
        shifted = np.pad(grid, 1)[1 - dy : 9 - dy, 1 - dx : 9 - dx]
        blended[index] = 0.75 * grid + 0.25 * shifted
    noisy = blended + rng.normal(0.0, 0.05, size=blended.shape)
    return np.clip(noisy, 0.0, 1.0).reshape(-1, PIXELS)


def instructors_digits() -> tuple[np.ndarray, np.ndarray] | None:
    """The digits of the file this grading run was given (see the module's notes), or None."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    return read_digits(path) if path else None
