"""Shared test set-up: draw off-screen, so tests run on machines without a display."""

import matplotlib

matplotlib.use("Agg")
