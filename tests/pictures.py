"""Checks on rendered pictures that the tests of figures and of stored notebooks share."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

DARK = 200  # grey levels below this are ink: text, lines, markers (the background is white)


def ink_at_edges(png: bytes, band: int = 3) -> dict[str, int]:
    """Dark pixels within ``band`` pixels of each edge of a PNG, for the edges that have any.

    A label or title that a figure's edge cuts off leaves ink there; the course's figures keep a
    white border of 0.05 inch, 8 pixels at twice 80 dpi.
    """
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    edges = {
        "left": grey[:, :band],
        "right": grey[:, -band:],
        "top": grey[:band, :],
        "bottom": grey[-band:, :],
    }
    return {edge: int((pixels < DARK).sum()) for edge, pixels in edges.items() if (pixels < DARK).any()}
