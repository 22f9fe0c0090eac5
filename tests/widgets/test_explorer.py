"""Tests of nnlib.widgets.explorer, and what every explorer shares: controls, pictures, argument checks."""

import ipywidgets
import pytest
from figure_checks import OKABE_ITO, assert_axes_labelled
from matplotlib.colors import to_hex

from nnlib import viz, widgets
from nnlib.widgets import explorer as framework

SLIDER_EXPLORERS = [
    widgets.gradient_descent_1d,
    widgets.momentum_explorer,
    widgets.optimizer_race,
    widgets.neuron_explorer,
    widgets.backprop_explorer,
]


def test_explorers_draw_standalone_labelled_figures_and_leave_pyplot_alone():
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    for build in SLIDER_EXPLORERS:
        explorer = build()
        assert explorer.figure is not None, f"{build.__name__} drew nothing"
        assert_axes_labelled(explorer.figure)
        for ax in explorer.figure.axes:
            for drawn in ax.lines:
                if (drawn.get_gid() or "").startswith(("trajectory", "curve")):
                    # the palette's colours, or the race's grey for its eighth racer
                    assert to_hex(drawn.get_color()) in OKABE_ITO | {"#767676"}
        for control in explorer.controls.values():
            if hasattr(control, "continuous_update"):
                assert control.continuous_update is False
    assert plt.get_fignums() == before


def test_the_explorer_keeps_the_controls_it_was_given():
    controls = {
        "n": framework.int_slider("n", "n", 1, 0, 3),
        "kind": framework.dropdown("kind", "kind", ["a", "b"], "a"),
    }
    drawn = []

    def render(n, kind):
        drawn.append((n, kind))
        return viz.subplots()[0]

    explorer = widgets.Explorer(render, controls)
    assert explorer.controls == controls and explorer.controls is not controls
    explorer.controls["n"].value = 3
    explorer.controls["kind"].value = "b"
    assert drawn == [(1, "a"), (3, "a"), (3, "b")]


def test_a_failing_drawing_leaves_no_stale_figure():
    slider = framework.int_slider("n", "n", 1, 0, 2)
    explorer = widgets.Explorer(lambda n: viz.subplots()[0] if n == 1 else 1 / 0, {"n": slider})
    assert explorer.figure is not None
    slider.value = 0
    assert explorer.figure is None


def test_changing_several_controls_redraws_once():
    calls = []

    def render(a, b):
        calls.append((a, b))
        return viz.subplots()[0]

    controls = {
        "a": framework.float_slider("a", "a", 0.0, 0.0, 1.0, 0.1),
        "b": framework.float_slider("b", "b", 0.0, 0.0, 1.0, 0.1),
    }
    explorer = widgets.Explorer(render, controls)
    with explorer.changing_several():
        explorer.controls["a"].value = 0.5
        explorer.controls["b"].value = 0.7
    assert calls == [(0.0, 0.0), (0.5, 0.7)]


@pytest.mark.parametrize(
    ("build", "kwargs", "message"),
    [
        (widgets.momentum_explorer, {"lr": 5.0}, "lr must be a number from 0.001 to 0.5, got 5.0"),
        (widgets.momentum_explorer, {"momentum": 1.2}, "momentum must be a number from 0 to 0.99, got 1.2"),
        (widgets.momentum_explorer, {"steps": 0}, "steps must be an integer from 1 to 300, got 0"),
        (widgets.momentum_explorer, {"steps": 20.5}, "steps must be an integer from 1 to 300, got 20.5"),
        (widgets.momentum_explorer, {"nesterov": "yes"}, "nesterov must be True or False, got 'yes'"),
        (widgets.gradient_descent_1d, {"lr": 3.0}, "lr must be a number from 0.001 to 2, got 3.0"),
        (widgets.gradient_descent_1d, {"start": -2.5}, "start must be a number from -2 to 2, got -2.5"),
        (widgets.gradient_descent_1d, {"lr": float("nan")}, "lr must be a number from 0.001 to 2, got nan"),
        (widgets.optimizer_race, {"steps": 5}, "steps must be an integer from 10 to 500, got 5"),
        (widgets.optimizer_race, {"landscape": "valley"}, "landscape must be one of .*got 'valley'"),
        (widgets.neuron_explorer, {"b": 4.0}, "b must be a number from -3 to 3, got 4.0"),
        (widgets.neuron_explorer, {"activation": "gelu"}, "activation must be one of .*got 'gelu'"),
        (widgets.neuron_explorer, {"negative_slope": 0.6}, "negative_slope must be a number from 0 to 0.5"),
        (widgets.backprop_explorer, {"a": "2"}, "a must be a number from -3 to 3, got '2'"),
        (widgets.capacity_explorer, {"steps": 0}, "steps must be an integer >= 1, got 0"),
        (widgets.training_playground, {"lr": 20.0}, "lr must be a number from 0.0001 to 10, got 20.0"),
        (widgets.training_playground, {"hidden": "64"}, "hidden must be one of .*got '64'"),
        (widgets.training_playground, {"batch_size": 7}, r"batch_size must be one of \[8, 16, 32, 64, 0\]"),
        (widgets.training_playground, {"epochs": 5}, "epochs must be an integer from 10 to 1000, got 5"),
    ],
)
def test_arguments_out_of_range_are_named_not_clamped(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


def test_values_at_the_ends_of_a_range_are_accepted():
    explorer = widgets.momentum_explorer(lr=0.5, momentum=0.99, steps=300)
    assert explorer.controls["lr"].value == pytest.approx(0.5)
    assert explorer.controls["momentum"].value == 0.99


@pytest.mark.filterwarnings("error")
def test_controls_at_their_bounds_draw_without_warnings():
    explorer = widgets.gradient_descent_1d(lr=2.0, start=-2.0, steps=50)  # the sliders' extremes
    assert explorer.figure is not None
    explorer = widgets.momentum_explorer(lr=0.5, momentum=0.99, steps=300)
    explorer.controls["start_x"].value = 10.0
    assert explorer.figure is not None
    explorer = widgets.neuron_explorer(w1=0.0, w2=0.0, b=-3.0, activation="relu")
    assert explorer.figure is not None


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.parametrize("make", [widgets.momentum_explorer, widgets.training_playground])
def test_explorers_carry_a_picture_for_notebooks_opened_without_a_kernel(make):
    explorer = make()
    bundle, metadata = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # live JupyterLab shows the widget
    assert bundle["image/png"].startswith(b"\x89PNG")  # a stored notebook shows its picture
    width, height = png_size(bundle["image/png"])
    assert (width, height) == (2 * metadata["image/png"]["width"], 2 * metadata["image/png"]["height"])


def test_every_public_control_is_an_ipywidget_value_widget():
    for build in SLIDER_EXPLORERS:
        for name, control in build().controls.items():
            assert isinstance(control, ipywidgets.ValueWidget), name
