"""Tests of nnlib.widgets.backprop: the graph drawn carries the slides' numbers and follows the sliders."""

import pytest

from nnlib import viz, widgets


def graph_nodes(fig):
    nodes = {}
    for text in viz.graph_node_texts(fig):
        header, *rest = text.split("\n")
        if rest:
            nodes[header] = (float(rest[0].removeprefix("value ")), float(rest[1].removeprefix("grad ")))
    return nodes


def test_backprop_explorer_reproduces_the_slides():
    explorer = widgets.backprop_explorer()
    nodes = graph_nodes(explorer.figure)
    assert nodes["e = c * d"][0] == 6.0  # e(2, 1) = (2 + 1)(1 + 1)
    assert nodes["a"] == (2.0, 2.0)  # de/da = 2
    assert nodes["b"] == (1.0, 5.0)  # de/db = 5
    title = explorer.figure.axes[0].get_title()
    assert "= 6;" in title and "∂e/∂a = 2," in title and title.endswith("∂e/∂b = 5")


def test_backprop_explorer_follows_the_sliders():
    explorer = widgets.backprop_explorer()
    a, b = -1.0, 2.5
    with explorer.changing_several():
        explorer.controls["a"].value = a
        explorer.controls["b"].value = b
    nodes = graph_nodes(explorer.figure)
    # e = (a + b)(b + 1): de/da = b + 1, de/db = (b + 1) + (a + b)
    assert nodes["e = c * d"][0] == pytest.approx((a + b) * (b + 1))
    assert nodes["a"][1] == pytest.approx(b + 1)
    assert nodes["b"][1] == pytest.approx((b + 1) + (a + b))
    assert nodes["c = a + b"] == pytest.approx((a + b, b + 1))
    assert nodes["d = b + 1"] == pytest.approx((b + 1, a + b))
