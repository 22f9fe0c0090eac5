"""Drawing shared by the lectures and the explorers, in one colour-blind-safe style.

Every function draws on the matplotlib ``Axes`` given as ``ax`` or, when ``ax`` is omitted, on a
new figure, and returns the figure. Figures are built with :class:`matplotlib.figure.Figure`
directly rather than through pyplot: nothing accumulates in pyplot's list of open figures and any
backend works. Importing this module inside IPython/Jupyter teaches the notebook to show such a
figure as a PNG image when it is the value of a cell.

Colours come from the Okabe-Ito palette, which stays distinguishable under the common forms of
colour blindness; classes are told apart by marker shape as well as colour.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Mapping

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from nnlib import activations
from nnlib.tensor import Tensor, no_grad, topological_order

# ----------------------------------------------------------------------------- style

PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""The Okabe-Ito colours by name."""

COLORS = list(PALETTE.values())
"""The colour cycle: lines, classes and optimizers take colours in this order."""

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
"""Marker shapes paired with :data:`COLORS`, so that classes differ in shape too."""

STYLE = {
    "figure.dpi": 96,  # CSS pixels per inch: a figure shows at its size in inches on any screen
    "figure.figsize": (4.8, 3.4),
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titley": 1.01,  # a fixed title position: placing it automatically measures every tick label
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.prop_cycle": cycler(color=COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 4,
    "image.cmap": "cividis",
}
"""The rcParams every figure of the course is drawn with (see :func:`style`)."""

# Landscapes are shaded light (low) to mid grey (high), so coloured paths stay visible on them.
LANDSCAPE_CMAP = LinearSegmentedColormap.from_list("landscape", ["#ffffff", "#8c8c8c"])

# Light blue (class 0 side) through white to light orange (class 1 side): the palette's first two
# colours mixed half with white, so that points in those colours stay visible on top.
DIVERGING_CMAP = LinearSegmentedColormap.from_list("blue_white_orange", ["#80b8d8", "#ffffff", "#f2cf80"])

_GRAPH_FILL = {"input": PALETTE["sky_blue"], "constant": "#d9d9d9", "op": PALETTE["orange"]}


_style_depth = 0  # how many style() blocks are open: nested ones need not apply STYLE again


@contextlib.contextmanager
def style():
    """Context manager that applies :data:`STYLE` to the figures and artists created inside it."""
    global _style_depth
    if _style_depth:
        _style_depth += 1
        try:
            yield
        finally:
            _style_depth -= 1
        return
    with matplotlib.rc_context(STYLE):
        _style_depth = 1
        try:
            yield
        finally:
            _style_depth = 0


def _styled(draw):
    """Decorator: run a drawing function inside :func:`style`."""

    @functools.wraps(draw)
    def styled_draw(*args, **kwargs):
        with style():
            return draw(*args, **kwargs)

    return styled_draw


# Margins around and between axes, in inches; fixed rather than computed by a layout engine, which
# would draw every figure twice and so double the time a slider takes to redraw.
MARGINS = {"left": 0.7, "right": 0.2, "bottom": 0.55, "top": 0.4, "wspace": 0.8, "hspace": 0.75}


@_styled
def subplots(nrows=1, ncols=1, figsize=None, dpi=None, margins=None, **subplot_kw):
    """A new figure in the course style with a grid of axes, like ``pyplot.subplots`` but without pyplot.

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes.
    figsize : (float, float), optional
        Width and height in inches; by default 4.8 x 3.4 per axes (at most 3 wide).
    dpi : float, optional
        Resolution; the style's 80 by default (small figures render fast).
    margins : dict, optional
        Overrides of :data:`MARGINS` (inches), e.g. ``{"right": 1.5}`` to make room for a legend.
    **subplot_kw
        Passed to ``add_subplot`` (e.g. ``projection``).

    Returns
    -------
    fig : Figure
    axes : Axes, or ndarray of Axes: shape (n,) for a single row or column, else (nrows, ncols)
    """
    if figsize is None:
        figsize = (min(4.8 * ncols, 12.0), 3.4 * nrows)
    width, height = figsize
    m = {**MARGINS, **(margins or {})}
    axes_width = (width - m["left"] - m["right"] - (ncols - 1) * m["wspace"]) / ncols
    axes_height = (height - m["top"] - m["bottom"] - (nrows - 1) * m["hspace"]) / nrows
    if axes_width <= 0 or axes_height <= 0:
        raise ValueError(
            f"figsize {figsize} leaves no room for {nrows} x {ncols} axes inside the margins {m}"
        )
    fig = Figure(figsize=figsize, dpi=dpi)
    fig.subplots_adjust(
        left=m["left"] / width,
        right=1 - m["right"] / width,
        bottom=m["bottom"] / height,
        top=1 - m["top"] / height,
        wspace=m["wspace"] / axes_width,
        hspace=m["hspace"] / axes_height,
    )
    axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None)
    for ax in np.ravel(axes):
        set_linear_scale(ax, "x")
        set_linear_scale(ax, "y")
    return fig, axes


class LiveFigure:
    """A figure redrawn in place: a background drawn once, a foreground replaced at each update.

    Building axes and their ticks is most of the cost of a new figure, and a background such as a
    contour plot need not be computed again when only a path on it changes. Draw the background,
    wrap the figure, then before each update call :meth:`clear` and draw the foreground with the
    usual functions::

        fig, ax = subplots()
        plot_landscape(CANYON, ax=ax)
        live = LiveFigure(fig)        # the landscape is the background
        live.clear()                  # removes what was drawn after it ...
        plot_trajectory(points, ax=ax)

    Parameters
    ----------
    fig : Figure
        Everything already drawn on it is kept by :meth:`clear`.
    """

    def __init__(self, fig):
        self.figure = fig
        self.keep_current()

    def _plot_axes(self):
        """The axes :meth:`clear` works on: all but colour bars, which redraw themselves."""
        return [ax for ax in self.figure.axes if ax not in self._colorbar_axes]

    def _artists(self):
        return {id(artist): artist for ax in self._plot_axes() for artist in ax.get_children()}

    def keep_current(self):
        """Make everything drawn so far part of the background."""
        # ScalarMappable.colorbar names the colour bar drawn for an image or contour plot, if any
        self._colorbar_axes = [
            artist.colorbar.ax
            for ax in self.figure.axes
            for artist in ax.get_children()
            if getattr(artist, "colorbar", None) is not None
        ]
        self._background = self._artists()  # holding them keeps their ids unique

    def clear(self):
        """Remove every artist (line, text, patch, legend, ...) added since the background."""
        for key, artist in self._artists().items():
            if key not in self._background:
                artist.remove()
        with style():
            for ax in self._plot_axes():
                ax.set_prop_cycle(None)  # new lines start again at the palette's first colour
                if ax.get_autoscalex_on() or ax.get_autoscaley_on():
                    ax.relim()  # forget the data limits of what was removed
        return self.figure


def _axes_or_new(ax, **kwargs):
    return subplots(**kwargs)[1] if ax is None else ax


PIXEL_DENSITY = 2
"""Pixels per CSS pixel in every picture the course shows: a figure is rendered at twice its
``dpi`` and shown at its own size, so it stays sharp on a 2x (HiDPI) screen and when a lecture hall's
projector or Presentation Mode zooms in. It costs about a fifth more time per redraw."""


def figure_to_png(fig):
    """Render a figure to PNG bytes at :data:`PIXEL_DENSITY` times its ``dpi``.

    Show them at :func:`display_size` (``IPython.display.Image(png, **display_size(fig))``, or the
    metadata of a display bundle); shown at their pixel size they would look twice as large.
    """
    buffer = io.BytesIO()
    dpi = fig.dpi * PIXEL_DENSITY
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})  # fast; a little larger
    return buffer.getvalue()


def display_size(fig):
    """The size, in CSS pixels, to show :func:`figure_to_png`'s picture at: ``{"width", "height"}``.

    Exactly its pixels over :data:`PIXEL_DENSITY` (a half pixel where their number is odd), so
    that no pixel is stretched.
    """
    pixels = [int(inches * fig.dpi * PIXEL_DENSITY) for inches in fig.get_size_inches()]  # as savefig
    width, height = (count / PIXEL_DENSITY for count in pixels)
    return {
        "width": int(width) if width.is_integer() else width,
        "height": int(height) if height.is_integer() else height,
    }


def figure_png_bundle(fig):
    """``(png, metadata)``: what IPython's ``_repr_png_`` and formatters may return to show a
    figure's :func:`figure_to_png` at its :func:`display_size`."""
    return figure_to_png(fig), display_size(fig)


EDGE = 0.05
"""Inches of white kept between a figure's outermost label or title and its edge."""


def keep_labels_inside(fig):
    """Widen a figure's outer margins just enough for every label, title and legend to show.

    :func:`subplots` sets fixed margins, which suit most figures; long tick labels (``0.0001``)
    beside an axis label, or a long title, can reach past them and be cut off at the edge. This
    moves the axes inwards where anything reaches closer than :data:`EDGE` to an edge; the
    figure's size, and so its size on screen, stays. A title wider than the whole figure cannot
    fit, and stays cut. Returns ``fig``.
    """
    width, height = fig.get_size_inches()
    shown_dpi = fig.dpi
    fig.set_dpi(shown_dpi * PIXEL_DENSITY)  # measured as rendered: text is a little wider there
    try:
        _move_axes_inwards(fig, width, height)
    finally:
        fig.set_dpi(shown_dpi)
    return fig


def _move_axes_inwards(fig, width, height):
    for _ in range(6):  # a centred title moves with its axes, half as far: a few passes settle it
        x0, y0, box_width, box_height = fig.get_tightbbox().bounds  # inches
        left, bottom = EDGE - x0, EDGE - y0
        right, top = x0 + box_width - (width - EDGE), y0 + box_height - (height - EDGE)
        if max(left, bottom, right, top) <= 1e-3:
            break
        params = fig.subplotpars
        inner = {
            "left": params.left + max(left, 0) / width,
            "right": params.right - max(right, 0) / width,
            "bottom": params.bottom + max(bottom, 0) / height,
            "top": params.top - max(top, 0) / height,
        }
        if inner["right"] - inner["left"] < 0.2 or inner["top"] - inner["bottom"] < 0.2:
            return  # what reaches out is too large to fit by moving the axes
        fig.subplots_adjust(**inner)


def notebook_png_bundle(fig):
    """:func:`figure_png_bundle` after :func:`keep_labels_inside`: how a notebook shows a figure."""
    return figure_png_bundle(keep_labels_inside(fig))


def _show_figures_as_png_in_notebooks():
    """Register :func:`notebook_png_bundle` as IPython's PNG formatter for Figure, inside IPython.

    matplotlib's inline backend registers a formatter of its own (one pixel per CSS pixel, and a
    second draw for ``bbox_inches="tight"``) when its module is first imported, which ipywidgets
    does as soon as an explorer updates. Importing it here first, and registering after it, keeps
    the course's formatter for every figure of a notebook.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    try:
        import matplotlib_inline.backend_inline  # noqa: F401 -- its import registers its formatter
    except ImportError:
        pass
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, notebook_png_bundle)


_show_figures_as_png_in_notebooks()


def set_linear_scale(ax, axis="y"):
    """Linear ``axis`` ("x" or "y") with at most 6 ticks: every tick is a handful of artists to draw."""
    (ax.set_yscale if axis == "y" else ax.set_xscale)("linear")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))


def set_log_scale(ax, axis="y", subs=(1.0,)):
    """Logarithmic ``axis`` ("x" or "y") with plain tick labels (0.01, 1, 100) and no minor ticks.

    ``subs=(1.0, 2.0, 5.0)`` also labels 2 and 5 times each power of ten, for ranges of a few decades.

    matplotlib's default labels (10 to a power) go through its TeX-like parser, which each new
    figure repeats; plain labels keep a redraw fast.
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_locator(LogLocator(subs=subs, numticks=6))
    target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    target.set_minor_locator(NullLocator())


def annotate_divergence(ax, step, what="step"):
    """Write "diverged at <what> <step>" across the middle of ``ax``, so the plot is never blank."""
    ax.text(
        0.5,
        0.5,
        f"diverged at {what} {step}",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=12,
        color=PALETTE["vermillion"],
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": PALETTE["vermillion"]},
        gid="diverged",
        zorder=10,
    )


# -------------------------------------------------------------- landscapes and paths


def _as_array(values):
    return values.data if isinstance(values, Tensor) else np.asarray(values)


@_styled
def plot_landscape(landscape, ax=None, resolution=100, n_levels=16, show_minima=True):
    """Shaded contour plot of a 2-D loss landscape, with its minima marked.

    Parameters
    ----------
    landscape : nnlib.landscapes.Landscape
        Anything with ``.f(x, y)`` (vectorized), ``.bounds`` ((xmin, xmax), (ymin, ymax)),
        ``.minima`` (list of (x, y)) and ``.name``.
    ax : Axes, optional
        Where to draw; a new figure if omitted.
    resolution : int
        Grid points per axis.
    n_levels : int
        Contour levels, placed at quantiles of the values so that steep and flat landscapes
        both show their valleys.
    show_minima : bool
        Mark the minima with stars.

    Returns
    -------
    Figure
    """
    ax = _axes_or_new(ax)
    (xmin, xmax), (ymin, ymax) = landscape.bounds
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.asarray(landscape.f(grid_x, grid_y), dtype=float)
    levels = np.unique(np.quantile(values[np.isfinite(values)], np.linspace(0, 1, n_levels)))
    ax.contourf(grid_x, grid_y, values, levels=levels, cmap=LANDSCAPE_CMAP)
    ax.contour(grid_x, grid_y, values, levels=levels, colors="#6e6e6e", linewidths=0.4)
    if show_minima and landscape.minima:
        mx, my = np.asarray(landscape.minima, dtype=float).T
        ax.plot(
            mx,
            my,
            "*",
            color="white",
            markeredgecolor="black",
            markersize=11,
            label="_minimum",
            gid="minimum",
            zorder=5,
        )
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), xlabel="x", ylabel="y", title=landscape.name)
    ax.grid(False)
    return ax.figure


@_styled
def plot_trajectory(trajectory, ax=None, label=None, color=None, annotate=True, linestyle="-"):
    """Draw an optimizer's path: its points joined by a line, the start as a hollow circle.

    Parameters
    ----------
    trajectory : Trajectory or array_like of shape (k + 1, 2)
        The points visited; a ``Trajectory`` from :func:`nnlib.landscapes.optimize` also brings
        ``diverged_at``.
    ax : Axes, optional
        Usually the axes of :func:`plot_landscape`; the axes limits are left as they are, so a
        path that leaves the landscape is cut at its border.
    label : str, optional
        Legend entry; the line's gid is ``"trajectory:<label>"`` (or ``"trajectory"``).
    color : colour, optional
        By default the next colour of the cycle.
    annotate : bool
        Write "diverged at step k" on the axes when the run diverged.
    linestyle : str
        E.g. "--" to tell apart paths that run on top of each other.

    Returns
    -------
    Figure
    """
    ax = _axes_or_new(ax)
    points = np.asarray(getattr(trajectory, "points", trajectory), dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"trajectory points must have shape (k + 1, 2), got {points.shape}")
    limits = ax.get_xlim(), ax.get_ylim()
    had_data = ax.has_data()
    (line,) = ax.plot(
        points[:, 0],
        points[:, 1],
        marker="o",
        linestyle=linestyle,
        color=color,
        markersize=2.5,
        linewidth=1.5,
        label=label,
        gid="trajectory" if label is None else f"trajectory:{label}",
    )
    ax.plot(*points[0], "o", markerfacecolor="none", markeredgecolor=line.get_color(), markersize=7)
    if had_data:
        ax.set_xlim(limits[0])
        ax.set_ylim(limits[1])
    else:
        ax.set(xlabel="x", ylabel="y")
    diverged_at = getattr(trajectory, "diverged_at", None)
    if annotate and diverged_at is not None:
        annotate_divergence(ax, diverged_at)
    return ax.figure


@_styled
def plot_losses(curves, ax=None, xlabel="step", ylabel="loss", log="auto", title=None):
    """Loss (or any metric) against step or epoch, one line per curve.

    Parameters
    ----------
    curves : array_like of shape (k,), or mapping of label -> array_like
        The values; non-finite values end a curve.
    ax : Axes, optional
    xlabel, ylabel : str
    log : bool or "auto"
        Logarithmic y axis; "auto" chooses it when all values are positive and span more than a
        factor of 100.
    title : str, optional

    Returns
    -------
    Figure
    """
    ax = _axes_or_new(ax)
    if not isinstance(curves, Mapping):
        curves = {ylabel: curves}
    all_values = []
    for label, values in curves.items():
        values = np.asarray(_as_array(values), dtype=float)
        if values.ndim != 1:
            raise ValueError(f"curve {label!r} must be 1-D, got shape {values.shape}")
        finite = np.isfinite(values)
        stop = len(values) if finite.all() else int(np.argmin(finite))
        marker = "o" if stop == 1 else None  # a lone value (before any step) is still visible
        ax.plot(np.arange(stop), values[:stop], marker=marker, label=label, gid=f"curve:{label}")
        all_values.append(values[:stop])
    values = np.concatenate(all_values) if all_values else np.array([])
    if log == "auto":
        log = values.size > 0 and values.min() > 0 and values.max() > 100 * values.min()
    if log:
        decades = np.log10(values.max() / values.min()) if values.size else 0.0
        set_log_scale(ax, "y", subs=(1.0, 2.0, 5.0) if decades < 2 else (1.0,))
    elif ax.get_yscale() != "linear":  # an axes drawn on again (see LiveFigure) may have been log
        set_linear_scale(ax, "y")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    return ax.figure


RATE_LEVELS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0)
"""Contour levels of :func:`plot_rate_map`: finer near 1, where an ill-conditioned bowl's rates lie."""


@_styled
def plot_rate_map(lrs, momenta, rates, ax=None, marks=None, title=None):
    """Convergence rate over (learning rate, momentum): shaded contours, rates >= 1 hatched grey.

    Parameters
    ----------
    lrs : ndarray of shape (n,)
    momenta : ndarray of shape (m,)
    rates : ndarray of shape (m, n)
        As made by :func:`nnlib.simulations.momentum_rates.rate_map`; the error shrinks by this
        factor per step, so darker (lower) is faster.
    ax : Axes, optional
    marks : mapping of label -> (lr, momentum), optional
        Points to mark, each with its own marker and colour, and named in a legend.
    title : str, optional

    Returns
    -------
    Figure
    """
    ax = _axes_or_new(ax)
    rates = np.asarray(rates, dtype=float)
    if rates.shape != (len(momenta), len(lrs)):
        raise ValueError(
            f"rates must have shape (len(momenta), len(lrs)) = {(len(momenta), len(lrs))}, got {rates.shape}"
        )
    ax.contourf(lrs, momenta, rates, levels=RATE_LEVELS, cmap="Blues_r")  # darker is faster
    diverging = ax.contourf(lrs, momenta, rates, levels=(1.0, np.inf), colors="#d9d9d9", hatches=["//"])
    diverging.set_edgecolor("#9a9a9a")
    lines = ax.contour(lrs, momenta, rates, levels=RATE_LEVELS[1:], colors="#444444", linewidths=0.5)
    ax.clabel(lines, fmt="%g", fontsize=7)
    for (label, (lr, momentum)), color, marker in zip(
        (marks or {}).items(), (PALETTE["vermillion"], PALETTE["orange"], "white"), ("*", "o", "s")
    ):
        ax.plot(
            lr,
            momentum,
            marker,
            color=color,
            markeredgecolor="black",
            markersize=11 if marker == "*" else 7,
            linestyle="none",
            label=label,
            gid=f"mark:{label}",
            zorder=5,
        )
    ax.set(
        xlabel="learning rate α", ylabel="momentum β", xlim=(lrs[0], lrs[-1]), ylim=(momenta[0], momenta[-1])
    )
    ax.grid(False)
    if title:
        ax.set_title(title)
    if marks:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.text(0.98, 0.02, "hatched: diverges", transform=ax.transAxes, ha="right", va="bottom", fontsize=7)
    return ax.figure


# --------------------------------------------------------------- decision boundaries


def predict_classes(model, points, threshold=0.0):
    """The class a model predicts for each point.

    Parameters
    ----------
    model : callable
        Maps a Tensor of shape (n, d) to scores of shape (n, C), or (n,) / (n, 1) for two classes.
    points : array_like of shape (n, d)
    threshold : float
        For single-score models, class 1 where the score exceeds it.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    with no_grad():
        outputs = model(Tensor(points))
    outputs = np.asarray(_as_array(outputs), dtype=float)
    if outputs.ndim == 1 or outputs.shape[1] == 1:
        return (outputs.reshape(-1) > threshold).astype(int)
    return outputs.argmax(axis=1)


def data_bounds(X, padding=0.5):
    """((xmin, xmax), (ymin, ymax)) enclosing 2-D points of shape (n, 2) with a margin."""
    X = np.asarray(_as_array(X), dtype=float)
    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    return (low[0], high[0]), (low[1], high[1])


@_styled
def plot_decision_boundary(
    model, X, y, ax=None, bounds=None, resolution=100, threshold=0.0, n_classes=None, title=None
):
    """Colour the plane by the class a model predicts, draw the boundary, and scatter the data.

    Parameters
    ----------
    model : callable
        Maps a Tensor of points of shape (n, 2) to scores: shape (n, C) (the class is the argmax)
        or (n,) / (n, 1) (class 1 where the score exceeds ``threshold``).
    X : array_like of shape (n, 2)
        Points to scatter.
    y : array_like of int, shape (n,)
        Their classes.
    ax : Axes, optional
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Region to colour; by default the data's with a margin of 0.5.
    resolution : int
        Grid points per axis.
    threshold : float
        For single-score models: 0 for logits, 0.5 for probabilities.
    n_classes : int, optional
        Number of classes (colours); by default inferred from ``y`` and the predictions.
    title : str, optional

    Returns
    -------
    Figure
    """
    ax = _axes_or_new(ax)
    X = np.asarray(_as_array(X), dtype=float)
    y = np.asarray(_as_array(y)).astype(int)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    (xmin, xmax), (ymin, ymax) = bounds if bounds is not None else data_bounds(X)
    grid_x, grid_y = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()]).astype(np.result_type(X.dtype, np.float32))
    predicted = predict_classes(model, grid, threshold).reshape(grid_x.shape)
    if n_classes is None:
        n_classes = int(max(y.max(initial=0), predicted.max())) + 1
    colours = COLORS[:n_classes]
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(grid_x, grid_y, predicted, levels=levels, colors=colours, alpha=0.25)
    ax.contour(grid_x, grid_y, predicted, levels=levels[1:-1], colors="black", linewidths=1.0)
    for k in range(n_classes):
        members = y == k
        ax.scatter(
            X[members, 0],
            X[members, 1],
            s=16,
            color=COLORS[k],
            marker=MARKERS[k],
            edgecolors="white",
            linewidths=0.5,
            label=f"class {k}",
        )
    ax.set(xlim=(xmin, xmax), ylim=(ymin, ymax), xlabel="x₁", ylabel="x₂")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax.figure


# -------------------------------------------------------------------------- activations


def activation_and_derivative(activation, z, **kwargs):
    """Values and derivative of an elementwise activation, the derivative found by autograd.

    Parameters
    ----------
    activation : str or callable
        A name in :mod:`nnlib.activations` (e.g. ``"tanh"``) or a function of a Tensor.
    z : array_like of shape (n,)
        Pre-activations.
    **kwargs
        Passed to the activation (e.g. ``negative_slope``).

    Returns
    -------
    values, derivative : ndarray of shape (n,)
    """
    function = _activation_function(activation)
    z = Tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    out = function(z, **kwargs)
    out.sum().backward()
    return out.data, z.grad


# The activations' names in words, as titles ("leaky ReLU", not the code name "leaky_relu").
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}


def _activation_function(activation):
    if callable(activation):
        return activation
    function = getattr(activations, str(activation), None)
    if function is None:
        raise ValueError(
            f"unknown activation {activation!r}; expected a function or one of "
            "'sigmoid', 'tanh', 'relu', 'leaky_relu'"
        )
    return function


@_styled
def plot_activation(activation, ax=None, z_range=(-5.0, 5.0), title=None, **kwargs):
    """An activation function g(z) and its derivative g'(z) (computed by backpropagation).

    Parameters
    ----------
    activation : str or callable
        See :func:`activation_and_derivative`.
    ax : Axes, optional
    z_range : (float, float)
        Interval of pre-activations to show.
    title : str, optional
        By default the activation's name in words (``ACTIVATION_NAMES``).
    **kwargs
        Passed to the activation (e.g. ``negative_slope=0.1``).

    Returns
    -------
    Figure
    """
    ax = _axes_or_new(ax)
    z = np.linspace(*z_range, 401)
    values, derivative = activation_and_derivative(activation, z, **kwargs)
    ax.plot(z, values, label="g(z)", color=PALETTE["blue"])
    ax.plot(z, derivative, "--", label="g′(z)", color=PALETTE["vermillion"])
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", "activation")
    ax.set(xlabel="z (pre-activation)", ylabel="value", title=title or ACTIVATION_NAMES.get(name, name))
    ax.axhline(0, color="black", linewidth=0.5)
    ax.legend()
    return ax.figure


@_styled
def plot_activations(names=("sigmoid", "tanh", "relu", "leaky_relu"), z_range=(-5.0, 5.0)):
    """Side-by-side plots of several activations with their derivatives; returns a new Figure."""
    fig, axes = subplots(1, len(names), figsize=(2.8 * len(names), 2.8))
    for name, ax in zip(names, np.atleast_1d(axes)):
        kwargs = {"negative_slope": 0.1} if name == "leaky_relu" else {}
        plot_activation(name, ax=ax, z_range=z_range, **kwargs)
    return fig


# -------------------------------------------------------------- computational graphs

_BINARY_OPS = {"+", "-", "*", "/", "**", "@"}
_MAX_GRAPH_NODES = 60


def graph_nodes(output):
    """The nodes of the graph that computed ``output``, each with its depth.

    Parameters
    ----------
    output : Tensor

    Returns
    -------
    nodes : list of Tensor
        In breadth-first order from ``output`` (inputs in the order the ops read them).
    depth : dict of id(node) -> int
        Length of the longest path from the node to ``output`` (0 for ``output``).
    """
    nodes, seen, frontier = [], {id(output)}, [output]
    while frontier:
        nodes.extend(frontier)
        next_frontier = []
        for node in frontier:
            for parent in node.inputs:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    next_frontier.append(parent)
        frontier = next_frontier
    depth = {id(node): 0 for node in nodes}
    for node in topological_order(output):
        for parent in node.inputs:
            depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
    return nodes, depth


def _format_values(values):
    values = np.asarray(values)
    if values.size == 1:
        return f"{values.item():.4g}"
    if values.size <= 3:
        return "[" + ", ".join(f"{v:.3g}" for v in values.ravel()) + "]"
    return f"shape {values.shape}"


def _node_kind(node):
    if node.inputs:
        return "op"
    return "input" if node.requires_grad else "constant"


def _node_name(node):
    """How other nodes refer to this one: its label, a constant's value, or its op."""
    if node.label:
        return node.label
    if not node.inputs and not node.requires_grad:
        return _format_values(node.data)
    return node.op or "?"


def _node_text(node):
    kind = _node_kind(node)
    if kind == "constant":  # a named constant (data such as x) shows its value under its name
        return f"{node.label}\nvalue {_format_values(node.data)}" if node.label else _node_name(node)
    if kind == "input":
        header = node.label or "input"
    elif len(node.inputs) == 2 and node.op in _BINARY_OPS:
        names = [_node_name(parent) for parent in node.inputs]
        expression = f"{names[0]} {node.op} {names[1]}"
        header = f"{node.label} = {expression}" if node.label else expression
    else:
        argument = ", ".join(_node_name(parent) for parent in node.inputs)
        expression = f"{node.op}({argument})"
        header = f"{node.label} = {expression}" if node.label else expression
    grad = "—" if node.grad is None else _format_values(node.grad)
    return f"{header}\nvalue {_format_values(node.data)}\ngrad {grad}"


def _local_derivatives(node):
    """d(node)/d(input) for each scalar input, while the graph still holds its derivative functions."""
    if node.grad_fns is None or node.data.size != 1:
        return {}
    local = {}
    for parent, grad in zip(node.inputs, node.input_grads(np.ones_like(node.data))):
        if grad is not None and parent.data.size == 1:
            local[id(parent)] = float(grad.item())
    return local


def _layout(nodes, depth):
    """Position of each node: its level (depth) and a place in the level near its consumers."""
    discovered = {id(node): i for i, node in enumerate(nodes)}
    consumers = {id(node): [] for node in nodes}
    for node in nodes:
        for parent in node.inputs:
            consumers[id(parent)].append(node)
    levels = {}
    for node in nodes:
        levels.setdefault(depth[id(node)], []).append(node)
    place = {}
    for level in sorted(levels):
        members = levels[level]

        def key(node):
            placed = [place[id(c)] for c in consumers[id(node)] if id(c) in place]
            return (np.mean(placed) if placed else 0.0, discovered[id(node)])

        members.sort(key=key)
        for i, node in enumerate(members):
            place[id(node)] = i - (len(members) - 1) / 2
    return place, max(len(m) for m in levels.values()), len(levels)


def _clip_to_box(start, end, half_width, half_height):
    """Point where the segment from box centre ``start`` towards ``end`` leaves the box."""
    direction = np.subtract(end, start)
    scales = [h / abs(d) for h, d in zip((half_width, half_height), direction) if d != 0]
    return np.add(start, direction * min(scales + [1.0]))


@_styled
def draw_graph(output, ax=None, direction="up", local_derivatives=True, title=None):
    """Draw the computational graph of a Tensor, with forward values and gradients on the nodes.

    Walks ``.inputs`` from ``output``, places every node at its depth (its longest distance to
    ``output``) and links each input to the op that read it. Input leaves are blue, constants grey
    and operations orange; each node shows ``label = expression``, its value and its ``.grad``
    (``—`` before ``backward``). While the graph still holds its derivative functions (before
    ``backward()``, or after ``backward(retain_graph=True)``), each edge of a scalar graph is
    labelled with the local derivative d(consumer)/d(input).

    Parameters
    ----------
    output : Tensor
        The result of the expression; name nodes by setting ``.label`` (e.g. ``c.label = "c"``).
    ax : Axes, optional
        A new figure sized to the graph if omitted.
    direction : {"up", "right"}
        Where the computation flows: inputs at the bottom ("up", as in colah's figures) or on the
        left ("right").
    local_derivatives : bool
        Label the edges with local derivatives when available.
    title : str, optional

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        For a graph of more than 60 nodes (too many to read) or an unknown ``direction``.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"draw_graph expects an nnlib.Tensor, got {type(output).__name__}")
    if direction not in ("up", "right"):
        raise ValueError(f"direction must be 'up' or 'right', got {direction!r}")
    nodes, depth = graph_nodes(output)
    if len(nodes) > _MAX_GRAPH_NODES:
        raise ValueError(
            f"the graph has {len(nodes)} nodes; draw_graph is meant for small expressions "
            f"(at most {_MAX_GRAPH_NODES} nodes)"
        )
    place, width, height = _layout(nodes, depth)
    across, along = (1.7, 1.15) if direction == "up" else (1.15, 2.1)  # grid spacing, in inches

    def position(node):
        if direction == "up":
            return np.array([place[id(node)] * across, -depth[id(node)] * along])
        return np.array([-depth[id(node)] * along, -place[id(node)] * across])

    if ax is None:
        size = (max(width * across, 2.5), max(height * along, 1.5) + 0.4)
        if direction == "right":
            size = (max(height * along, 2.5), max(width * across, 1.5) + 0.4)
        ax = subplots(figsize=size)[1]
    half_width, half_height = (0.72, 0.3) if direction == "up" else (0.85, 0.3)

    for node in nodes:
        local = _local_derivatives(node) if local_derivatives else {}
        end = position(node)
        for parent in dict.fromkeys(node.inputs):  # an input read twice (x * x) gets one arrow
            start = position(parent)
            tail = _clip_to_box(start, end, half_width, half_height)
            head = _clip_to_box(end, start, half_width, half_height)
            ax.add_patch(
                FancyArrowPatch(tail, head, arrowstyle="-|>", mutation_scale=10, color="#555555", lw=1.0)
            )
            if id(parent) in local:
                middle = (tail + head) / 2
                derivative = f"{local[id(parent)]:.4g}"
                if node.label and parent.label:
                    derivative = f"∂{node.label}/∂{parent.label} = {derivative}"
                ax.text(
                    *middle,
                    derivative,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color=PALETTE["blue"],
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                    gid="local_derivative",
                    zorder=3,
                )

    for node in nodes:
        kind = _node_kind(node)
        x, y = position(node)
        ax.add_patch(
            FancyBboxPatch(
                (x - half_width, y - half_height),
                2 * half_width,
                2 * half_height,
                boxstyle="round,pad=0.02",
                facecolor=_GRAPH_FILL[kind],
                alpha=0.35 if kind != "constant" else 0.8,
                edgecolor="black" if node is output else "#555555",
                linewidth=1.6 if node is output else 0.8,
                zorder=4,
            )
        )
        ax.text(x, y, _node_text(node), ha="center", va="center", fontsize=8, zorder=5, gid=f"node:{kind}")

    corners = np.array([position(node) for node in nodes])
    ax.set_xlim(corners[:, 0].min() - half_width - 0.1, corners[:, 0].max() + half_width + 0.1)
    ax.set_ylim(corners[:, 1].min() - half_height - 0.1, corners[:, 1].max() + half_height + 0.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax.figure


def graph_node_texts(fig):
    """The texts of the nodes :func:`draw_graph` drew on a figure, in drawing order (for checks)."""
    return [
        text.get_text() for ax in fig.axes for text in ax.texts if (text.get_gid() or "").startswith("node:")
    ]


__all__ = [
    "COLORS",
    "DIVERGING_CMAP",
    "LANDSCAPE_CMAP",
    "LiveFigure",
    "MARGINS",
    "MARKERS",
    "PALETTE",
    "RATE_LEVELS",
    "STYLE",
    "activation_and_derivative",
    "annotate_divergence",
    "data_bounds",
    "draw_graph",
    "figure_png_bundle",
    "figure_to_png",
    "graph_node_texts",
    "graph_nodes",
    "keep_labels_inside",
    "notebook_png_bundle",
    "plot_activation",
    "plot_activations",
    "plot_decision_boundary",
    "plot_landscape",
    "plot_losses",
    "plot_rate_map",
    "plot_trajectory",
    "predict_classes",
    "set_linear_scale",
    "set_log_scale",
    "style",
    "subplots",
]
