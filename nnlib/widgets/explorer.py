"""The explorer framework: controls above a figure that is redrawn whenever a control changes.

An explorer is an ``ipywidgets.interactive`` whose function draws a :class:`matplotlib.figure.Figure`
(made without pyplot) and returns it; the notebook shows it as a PNG. This works with every
matplotlib backend, keeps a picture in the saved notebook, and can be tested without a browser:
set ``explorer.controls[name].value`` and inspect ``explorer.figure``.

The control builders here check the value an explorer is called with against the control's range
and raise a ValueError naming the argument, rather than letting the slider clamp it silently.
"""

import contextlib
import functools
import math
import numbers

import ipywidgets as widgets

from nnlib import viz

__all__ = [
    "Explorer",
    "Picture",
    "checkbox",
    "control_grid",
    "dropdown",
    "float_slider",
    "in_ipython",
    "int_slider",
    "log_slider",
    "with_static_picture",
]

WIDE_DESCRIPTION = {"description_width": "initial"}
CONTROL_WIDTH = "300px"


def in_ipython():
    """True inside an IPython kernel or shell, where widgets are displayed."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


# ------------------------------------------------------------------------- controls


def check_in_range(argument, value, low, high, integer=False):
    """Raise a ValueError naming ``argument`` unless ``low <= value <= high`` (and an integer if asked)."""
    kind = "an integer" if integer else "a number"
    valid_type = isinstance(value, numbers.Integral if integer else numbers.Real) and not isinstance(
        value, bool
    )
    if not (valid_type and math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{argument} must be {kind} from {low:g} to {high:g}, got {value!r}")


def check_choice(argument, value, choices):
    """Raise a ValueError naming ``argument`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{argument} must be one of {list(choices)}, got {value!r}")


def labelled(description):
    """The options every control shares: its label and its width."""
    return {
        "description": description,
        "style": WIDE_DESCRIPTION,
        "layout": widgets.Layout(width=CONTROL_WIDTH),
    }


def log_slider(argument, description, value, low, high):
    """A slider for ``argument`` moving in powers of ten between ``low`` and ``high`` (a learning rate)."""
    check_in_range(argument, value, low, high)
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=0.05,
        readout_format=".3g",
        continuous_update=False,
        **labelled(description),
    )


def float_slider(argument, description, value, low, high, step, kind=widgets.FloatSlider):
    """A slider for ``argument`` from ``low`` to ``high``; it reports only where it is released."""
    check_in_range(argument, value, low, high, integer=kind is widgets.IntSlider)
    return kind(value=value, min=low, max=high, step=step, continuous_update=False, **labelled(description))


def int_slider(argument, description, value, low, high, step=1):
    """An integer slider for ``argument``; see :func:`float_slider`."""
    return float_slider(argument, description, value, low, high, step, kind=widgets.IntSlider)


def dropdown(argument, description, options, value):
    """A drop-down list for ``argument``; ``options`` are values or (label, value) pairs."""
    values = [option[1] if isinstance(option, tuple) else option for option in options]
    check_choice(argument, value, values)
    return widgets.Dropdown(options=options, value=value, **labelled(description))


def checkbox(argument, description, value):
    """A check box for the boolean ``argument``."""
    if not isinstance(value, bool):
        raise ValueError(f"{argument} must be True or False, got {value!r}")
    return widgets.Checkbox(value=value, description=description, indent=False)


def control_grid(controls, columns):
    """The controls laid out in ``columns`` columns."""
    return widgets.GridBox(
        list(controls),
        layout=widgets.Layout(grid_template_columns=f"repeat({columns}, max-content)", grid_gap="2px 16px"),
    )


# ------------------------------------------------------------------------- pictures


class Picture:
    """What an explorer's function returns to ``interactive``: its figure, shown as a PNG.

    Returning the Figure itself would let matplotlib's inline backend, once active, render it with
    ``bbox_inches="tight"``, which draws every figure twice.
    """

    def __init__(self, figure):
        self.figure = figure

    def _repr_png_(self):
        return viz.figure_png_bundle(self.figure)

    def __repr__(self):
        return repr(self.figure)


def with_static_picture(bundle, figure):
    """Add a PNG of ``figure`` to a widget's display data; return ``(data, metadata)``.

    A live JupyterLab shows the widget; a notebook opened without a kernel (or on a repository
    page) cannot, and shows this picture of the explorer's current state instead, at the figure's
    own size (:func:`nnlib.viz.display_size`).
    """
    metadata = {}
    if figure is not None:
        bundle["image/png"], metadata["image/png"] = viz.figure_png_bundle(figure)
        bundle["text/plain"] = "(an interactive explorer: run the notebook to move its controls)"
    return bundle, metadata


# ------------------------------------------------------------------------- the explorer


class Explorer(widgets.interactive):
    """Controls above a figure that is redrawn whenever a control changes.

    Parameters
    ----------
    render : callable
        Called with one keyword argument per control; returns a Figure.
    controls : dict of str -> ValueWidget
        The controls, by the name of the argument of ``render`` they feed.
    columns : int
        Controls are laid out in this many columns.

    Attributes
    ----------
    controls : dict of str -> ValueWidget
        Set ``controls[name].value`` to redraw, as moving the control does.
    figure : Figure or None
        The latest drawing (None if drawing failed: the error is shown in the notebook, or
        logged outside IPython).
    """

    def __init__(self, render, controls, columns=2):
        self.controls = dict(controls)
        self.muted = False
        shown = in_ipython()

        @functools.wraps(render)  # interactive reads the control names from render's signature
        def picture(**values):
            return Picture(render(**values))

        # outside IPython (tests, scripts) nothing is displayed, so nothing needs clearing
        super().__init__(picture, {"auto_display": shown}, clear_output=shown, **self.controls)
        self.children = [control_grid(self.controls.values(), columns), self.out]

    def _repr_mimebundle_(self, **kwargs):
        return with_static_picture(super()._repr_mimebundle_(**kwargs), self.figure)

    @property
    def figure(self):
        return None if self.result is None else self.result.figure

    def update(self, *args):
        """Redraw from the controls' values (unless muted, see :meth:`changing_several`)."""
        if self.muted:
            return
        self.result = None  # a drawing that fails must not leave the previous figure in place
        super().update(*args)

    @contextlib.contextmanager
    def changing_several(self):
        """Change several controls and redraw once, at the end of the block."""
        self.muted = True
        try:
            yield
        finally:
            self.muted = False
        self.update()
