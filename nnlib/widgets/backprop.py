"""Explorer: the computational graph of e = (a + b)(b + 1) with values, gradients and local derivatives."""

from nnlib import viz
from nnlib.simulations.slides_graph import backprop_graph
from nnlib.widgets.explorer import Explorer, float_slider

__all__ = ["backprop_explorer"]


class BackpropDrawing:
    def __init__(self):
        self.live = viz.LiveFigure(viz.subplots(figsize=(5.5, 3.5), dpi=110)[0])  # small text: more pixels

    def draw(self, a, b):
        e = backprop_graph(a, b)
        leaf_a, leaf_b = e.inputs[0].inputs
        title = (
            f"e = (a + b)(b + 1) = {e.item():.4g};   ∂e/∂a = {leaf_a.grad.item():.4g},   "
            f"∂e/∂b = {leaf_b.grad.item():.4g}"
        )
        fig = self.live.clear()
        return viz.draw_graph(e, ax=fig.axes[0], title=title)


def backprop_explorer(a=2.0, b=1.0):
    """The computational graph of e = (a + b)(b + 1): forward values, gradients and local derivatives.

    At a = 2, b = 1 it reproduces the lecture's figure: e = 6, de/da = 2, de/db = 5.

    Parameters
    ----------
    a, b : float, defaults 2.0 and 1.0
        From -3 to 3 (the sliders move in steps of 0.5).

    Returns
    -------
    Explorer
        Controls ``a`` and ``b``.

    Raises
    ------
    ValueError
        If an argument is outside its range.
    """
    controls = {
        "a": float_slider("a", "a", a, -3.0, 3.0, 0.5),
        "b": float_slider("b", "b", b, -3.0, 3.0, 0.5),
    }
    return Explorer(BackpropDrawing().draw, controls, columns=2)
