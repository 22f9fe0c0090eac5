"""Tests for nnlib.viz: what each drawing function puts on the axes, checked against independent maths."""

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from pictures import ink_at_edges

import nnlib
from nnlib import Tensor, viz
from nnlib.landscapes import CANYON, ROSENBROCK, SADDLE, Trajectory
from nnlib.simulations import slides_graph

# The Okabe-Ito palette as published (Okabe & Ito, "Color Universal Design", 2002/2008).
OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}


def assert_axes_labelled(fig):
    """Every visible axes has both axis labels (a colorbar: its one label)."""
    colorbars = [a.colorbar.ax for ax in fig.axes for a in ax.get_children() if getattr(a, "colorbar", None)]
    for ax in fig.axes:
        if not ax.axison:
            continue
        if ax in colorbars:
            assert ax.get_ylabel() or ax.get_xlabel(), "colorbar without a label"
        else:
            assert ax.get_xlabel() and ax.get_ylabel(), f"axes {ax.get_title()!r} lacks an axis label"


def lines_by_gid(ax, prefix):
    return [line for line in ax.lines if (line.get_gid() or "").startswith(prefix)]


def parse_graph(fig):
    """{header: (value, grad)} from the node texts draw_graph wrote (grad None when shown as —)."""
    nodes = {}
    for text in viz.graph_node_texts(fig):
        lines = text.split("\n")
        if len(lines) == 1:  # an unnamed constant shows only its value
            nodes[lines[0]] = (float(lines[0]), None)
            continue
        if len(lines) == 2:  # a named constant: its name and its value, no gradient
            nodes[lines[0]] = (float(lines[1].removeprefix("value ")), None)
            continue
        header, value, grad = lines
        grad = grad.removeprefix("grad ")
        nodes[header] = (float(value.removeprefix("value ")), None if grad == "—" else float(grad))
    return nodes


def slides_expression(backward=True, retain_graph=True):
    """e = (a + b)(b + 1) at a = 2, b = 1, the lecture's example, with named nodes."""
    e = slides_graph.slides_expression(2.0, 1.0)
    if backward:
        e.backward(retain_graph=retain_graph)
    return e


# -------------------------------------------------------------------------- style
def test_palette_is_okabe_ito_and_is_the_colour_cycle():
    assert {c.lower() for c in viz.PALETTE.values()} == OKABE_ITO
    with viz.style():
        fig, ax = viz.subplots()
        first_three = [to_hex(ax.plot([0, 1])[0].get_color()) for _ in range(3)]
    assert first_three == [c.lower() for c in viz.COLORS[:3]]


def test_figures_are_standalone_and_leave_pyplot_alone():
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    fig = viz.plot_landscape(CANYON)
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before
    png = viz.figure_to_png(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_pictures_have_twice_the_pixels_of_the_size_they_are_shown_at():
    fig, _ = viz.subplots(figsize=(5.0, 2.5))
    png, metadata = viz.figure_png_bundle(fig)
    assert metadata == {"width": 5.0 * viz.STYLE["figure.dpi"], "height": 2.5 * viz.STYLE["figure.dpi"]}
    pixels = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the IHDR chunk
    assert pixels == (2 * metadata["width"], 2 * metadata["height"])


def clipped_figure():
    """Tick labels down to 0.0001 beside a long axis label, and a long title: past the fixed margins."""
    fig, ax = viz.subplots(figsize=(4.0, 3.0))
    ax.plot([1, 10, 100], [1e-4, 1e-2, 1.0])
    viz.set_log_scale(ax, "y")
    ax.set(
        ylabel="seconds for the whole gradient",
        title="a title that is a little wider than its own axes",
    )
    return fig


def test_labels_reaching_past_the_margins_are_brought_inside_at_the_same_size():
    assert set(ink_at_edges(viz.figure_png_bundle(clipped_figure())[0])) == {"left", "right"}
    fig = clipped_figure()
    margins = fig.subplotpars.left, fig.subplotpars.right
    png, metadata = viz.notebook_png_bundle(fig)
    assert ink_at_edges(png) == {}
    assert metadata == viz.display_size(clipped_figure())
    assert fig.subplotpars.left > margins[0] and fig.subplotpars.right < margins[1]


def test_a_figure_that_fits_keeps_its_margins():
    fig, ax = viz.subplots(figsize=(4.0, 3.0))
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="x", ylabel="y")
    before = vars(fig.subplotpars).copy()
    assert viz.keep_labels_inside(fig) is fig
    assert vars(fig.subplotpars) == before


def test_a_figure_in_a_notebook_is_shown_at_its_size_with_denser_pixels():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    viz._show_figures_as_png_in_notebooks()
    fig, _ = viz.subplots(figsize=(4.0, 3.0))
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"].startswith(b"\x89PNG")
    assert metadata["image/png"] == {"width": 384, "height": 288}  # 4 x 3 inches at 96 CSS px per inch


def test_style_is_applied_inside_and_restored_after():
    import matplotlib

    outside = matplotlib.rcParams["axes.titlesize"]
    with viz.style():
        assert matplotlib.rcParams["axes.titlesize"] == viz.STYLE["axes.titlesize"]
        with viz.style():  # nesting is harmless
            assert matplotlib.rcParams["figure.dpi"] == viz.STYLE["figure.dpi"]
        assert matplotlib.rcParams["figure.dpi"] == viz.STYLE["figure.dpi"]
    assert matplotlib.rcParams["axes.titlesize"] == outside


def test_subplots_shapes_and_a_clear_error_for_an_impossible_size():
    fig, axes = viz.subplots(1, 3)
    assert axes.shape == (3,)
    fig, axes = viz.subplots(2, 2, figsize=(8, 6))
    assert axes.shape == (2, 2)
    with pytest.raises(ValueError, match="no room"):
        viz.subplots(1, 4, figsize=(2, 2))


# ------------------------------------------------------------ landscapes and paths
@pytest.mark.parametrize("landscape", [CANYON, ROSENBROCK, SADDLE], ids=lambda surface: surface.name)
def test_landscape_plot_shows_bounds_minima_and_labels(landscape):
    fig = viz.plot_landscape(landscape)
    ax = fig.axes[0]
    assert ax.get_title() == landscape.name
    assert ax.get_xlim() == landscape.bounds[0] and ax.get_ylim() == landscape.bounds[1]
    assert any(isinstance(artist, ContourSet) for artist in ax.collections)
    stars = lines_by_gid(ax, "minimum")
    if landscape.minima:
        np.testing.assert_allclose(np.column_stack(stars[0].get_data()), landscape.minima)
    else:
        assert stars == []
    assert_axes_labelled(fig)


def test_trajectory_is_drawn_point_by_point_and_keeps_the_landscape_window():
    points = np.array([[-9.0, 2.0], [-8.0, -1.0], [-30.0, 15.0]])  # the last point leaves the window
    fig = viz.plot_landscape(CANYON)
    viz.plot_trajectory(points, ax=fig.axes[0], label="path")
    ax = fig.axes[0]
    (line,) = lines_by_gid(ax, "trajectory:path")
    np.testing.assert_array_equal(np.column_stack(line.get_data()), points)
    assert ax.get_xlim() == CANYON.bounds[0] and ax.get_ylim() == CANYON.bounds[1]
    assert to_hex(line.get_color()) in OKABE_ITO


def test_diverged_trajectory_says_so_on_the_plot():
    path = Trajectory(np.array([[0.0, 1.0], [0.0, -9.0]]), np.array([5.0, 405.0]), diverged_at=2)
    fig = viz.plot_trajectory(path)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "diverged at step 2" in texts
    assert_axes_labelled(fig)


def test_trajectory_rejects_points_that_are_not_2d():
    with pytest.raises(ValueError, match=r"shape \(k \+ 1, 2\)"):
        viz.plot_trajectory(np.zeros((4, 3)))


def test_loss_curves_chose_log_scale_for_wide_positive_ranges_and_stop_at_nan():
    losses = {"train": [10.0, 1.0, 0.01, 0.001], "test": [10.0, 2.0, np.nan, 5.0]}
    fig = viz.plot_losses(losses, xlabel="epoch")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    (train,) = lines_by_gid(ax, "curve:train")
    (test,) = lines_by_gid(ax, "curve:test")
    np.testing.assert_array_equal(train.get_ydata(), losses["train"])
    np.testing.assert_array_equal(test.get_ydata(), [10.0, 2.0])  # the curve ends at the first NaN
    assert {to_hex(train.get_color()), to_hex(test.get_color())} <= OKABE_ITO
    assert ax.get_xlabel() == "epoch"
    assert viz.plot_losses([3.0, -1.0, 2.0]).axes[0].get_yscale() == "linear"  # negative values
    with pytest.raises(ValueError, match="must be 1-D"):
        viz.plot_losses(np.zeros((2, 2)))


# ----------------------------------------------------------------- decision boundary
def test_decision_boundary_of_a_linear_model_is_its_line():
    w, b = np.array([1.5, -2.0]), 0.5

    def linear_model(points):
        return points @ Tensor(w.reshape(2, 1).astype(np.float32)) + b

    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(60, 2))
    y = (X @ w + b > 0).astype(int)
    fig = viz.plot_decision_boundary(linear_model, X, y, resolution=101, bounds=((-2, 2), (-2, 2)))
    ax = fig.axes[0]
    boundary = [cs for cs in ax.collections if isinstance(cs, ContourSet) and not cs.filled]
    vertices = np.concatenate([path.vertices for path in boundary[0].get_paths()])
    spacing = 4 / 100
    distance = np.abs(vertices @ w + b) / np.linalg.norm(w)
    assert len(vertices) > 10 and distance.max() <= spacing
    scatter_colours = {to_hex(c.get_facecolor()[0]) for c in ax.collections if not isinstance(c, ContourSet)}
    assert scatter_colours == {viz.COLORS[0].lower(), viz.COLORS[1].lower()}
    assert_axes_labelled(fig)


def test_decision_boundary_predictions_take_argmax_for_several_scores():
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])

    def nearest_centre(points):  # scores: minus squared distance to each centre
        diff = points.data[:, None, :] - centres[None]
        return Tensor(-(diff**2).sum(axis=-1))

    points = np.array([[0.2, 0.1], [2.9, -0.3], [0.1, 3.5]])
    np.testing.assert_array_equal(viz.predict_classes(nearest_centre, points), [0, 1, 2])


def test_decision_boundary_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        viz.plot_decision_boundary(lambda p: p, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match=r"y must have shape \(5,\)"):
        viz.plot_decision_boundary(lambda p: p, np.zeros((5, 2)), np.zeros(4))


# -------------------------------------------------------------------------- activations
@pytest.mark.parametrize(
    ("name", "closed_form_derivative", "kwargs"),
    [
        ("sigmoid", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, {}),
        ("tanh", lambda z: 1 / np.cosh(z) ** 2, {}),
        ("relu", lambda z: (z > 0).astype(float), {}),
        ("leaky_relu", lambda z: np.where(z > 0, 1.0, 0.2), {"negative_slope": 0.2}),
    ],
)
def test_activation_derivative_by_autograd_matches_closed_form(name, closed_form_derivative, kwargs):
    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-9]  # the kink of the ReLUs has no derivative
    _, derivative = viz.activation_and_derivative(name, z, **kwargs)
    np.testing.assert_allclose(derivative, closed_form_derivative(z), atol=1e-12)


def test_activation_plot_draws_function_and_derivative():
    fig = viz.plot_activation("tanh", z_range=(-3, 3))
    ax = fig.axes[0]
    function, derivative = (line for line in ax.lines if line.get_label() in ("g(z)", "g′(z)"))
    np.testing.assert_allclose(function.get_ydata(), np.tanh(function.get_xdata()), atol=1e-12)
    np.testing.assert_allclose(derivative.get_ydata(), 1 / np.cosh(derivative.get_xdata()) ** 2, atol=1e-12)
    assert ax.get_title() == "tanh"
    assert_axes_labelled(fig)
    fig = viz.plot_activations()
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "tanh", "ReLU", "leaky ReLU"]
    assert_axes_labelled(fig)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        viz.plot_activation("swish")


# -------------------------------------------------------------- computational graphs
def test_graph_of_the_slides_example_shows_every_node_with_values_and_gradients():
    e = slides_expression()
    fig = viz.draw_graph(e)
    nodes = parse_graph(fig)
    # the slides (colah's figure): e = 6, de/dc = 2, de/dd = 3, de/da = 2, de/db = 5
    assert nodes == {
        "e = c * d": (6.0, 1.0),
        "c = a + b": (3.0, 2.0),
        "d = b + 1": (2.0, 3.0),
        "a": (2.0, 2.0),
        "b": (1.0, 5.0),
        "1": (1.0, None),
    }


def test_graph_edges_carry_the_local_derivatives_while_the_graph_is_kept():
    e = slides_expression(retain_graph=True)
    fig = viz.draw_graph(e)
    labels = {t.get_text() for t in fig.axes[0].texts if t.get_gid() == "local_derivative"}
    # d(c*d)/dc = d = 2, d(c*d)/dd = c = 3; sums have local derivative 1
    assert labels == {"∂e/∂c = 2", "∂e/∂d = 3", "∂c/∂a = 1", "∂c/∂b = 1", "∂d/∂b = 1"}
    freed = slides_expression(retain_graph=False)
    fig = viz.draw_graph(freed)
    assert not [t for t in fig.axes[0].texts if t.get_gid() == "local_derivative"]


def test_graph_before_backward_shows_values_and_no_gradients():
    fig = viz.draw_graph(slides_expression(backward=False))
    nodes = parse_graph(fig)
    assert nodes["e = c * d"] == (6.0, None) and nodes["b"] == (1.0, None)


def test_named_data_shows_its_value():
    w, x = Tensor(0.5, requires_grad=True, label="w"), Tensor(2.0, label="x")
    u = w * x
    u.label = "u"
    nodes = parse_graph(viz.draw_graph(u))
    assert nodes == {"u = w * x": (1.0, None), "w": (0.5, None), "x": (2.0, None)}


def test_graph_nodes_depths_and_a_shared_input():
    x = Tensor(3.0, requires_grad=True, label="x")
    y = x * x + x  # x is read by two ops, and twice by one of them
    nodes, depth = viz.graph_nodes(y)
    assert len(nodes) == 3  # y, x * x, x
    assert depth[id(y)] == 0 and depth[id(y.inputs[0])] == 1 and depth[id(x)] == 2  # the longest path
    fig = viz.draw_graph(y, direction="right")
    assert len(viz.graph_node_texts(fig)) == 3
    arrows = [patch for patch in fig.axes[0].patches if type(patch).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 3  # x -> x*x (once, though read twice), x*x -> y, x -> y


def test_graph_of_unlabelled_array_ops_names_nodes_by_op_and_shape():
    x = Tensor(np.ones((3, 2)), requires_grad=True)
    loss = (x * 2.0).sum()
    loss.backward()
    texts = viz.graph_node_texts(viz.draw_graph(loss))
    assert texts[0].startswith("sum(*)") and "grad 1" in texts[0]
    assert any(text.startswith("input\nvalue shape (3, 2)") for text in texts)


def test_graph_drawing_rejects_bad_input():
    with pytest.raises(TypeError, match="nnlib.Tensor"):
        viz.draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="direction"):
        viz.draw_graph(slides_expression(), direction="down")
    x = Tensor(1.0, requires_grad=True)
    big = x
    for _ in range(70):
        big = big + 1.0
    with pytest.raises(ValueError, match="at most 60 nodes"):
        viz.draw_graph(big)


def test_graph_drawing_is_independent_of_the_default_dtype():
    nnlib.set_default_dtype(np.float64)
    try:
        a = Tensor(2.0, requires_grad=True, label="a")
        e = a * a
        e.backward()
        assert parse_graph(viz.draw_graph(e))["a"] == (2.0, 4.0)
    finally:
        nnlib.set_default_dtype(np.float32)


# ---------------------------------------------------------------------- live figures
def test_live_figure_replaces_the_foreground_and_keeps_the_background():
    fig = viz.plot_landscape(CANYON)
    ax = fig.axes[0]
    background = len(ax.get_children())
    live = viz.LiveFigure(fig)
    viz.plot_trajectory(np.array([[0.0, 0.0], [1.0, 1.0]]), ax=ax, label="first")
    loss_fig, loss_ax = viz.subplots()
    loss_live = viz.LiveFigure(loss_fig)
    viz.plot_losses({"a": [1.0, 50.0], "b": [2.0, 3.0]}, ax=loss_ax)

    live.clear()
    loss_live.clear()
    assert len(ax.get_children()) == background
    assert not lines_by_gid(ax, "trajectory") and not loss_ax.lines and loss_ax.get_legend() is None
    viz.plot_losses([5.0, 4.0], ax=loss_ax)
    (line,) = loss_ax.lines
    assert to_hex(line.get_color()) == viz.COLORS[0].lower()  # the colour cycle starts over
    assert loss_ax.get_ylim()[1] < 10  # the removed curve's values no longer count for the limits


def test_plot_rate_map_marks_points_and_checks_the_shape():
    lrs, momenta = np.linspace(0.01, 0.4, 40), np.linspace(0.0, 0.99, 30)
    rates = np.add.outer(momenta, lrs)  # any values from 0 to above 1, hatched beyond 1
    fig = viz.plot_rate_map(lrs, momenta, rates, marks={"best": (0.3, 0.5)}, title="rates")
    (ax,) = fig.axes
    (mark,) = [candidate for candidate in ax.lines if candidate.get_gid() == "mark:best"]
    np.testing.assert_array_equal(mark.get_xydata(), [[0.3, 0.5]])
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("learning rate α", "momentum β", "rates")
    with pytest.raises(ValueError, match=r"rates must have shape .* = \(30, 40\), got \(40, 30\)"):
        viz.plot_rate_map(lrs, momenta, rates.T)
