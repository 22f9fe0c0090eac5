"""Tests of nnlib.simulations.slides_graph: the slides' numbers and the derivatives worked by hand."""

import pytest

from nnlib.simulations.slides_graph import backprop_graph, slides_expression


def leaves(e):
    c, d = e.inputs
    return c.inputs  # a and b


def test_the_slides_numbers():
    e = backprop_graph()
    a, b = leaves(e)
    # e = (2 + 1)(1 + 1) = 6; de/da = b + 1 = 2; de/db = (b + 1) + (a + b) = 5
    assert (e.item(), a.grad.item(), b.grad.item()) == (6.0, 2.0, 5.0)
    assert [node.label for node in (e, *e.inputs, a, b)] == ["e", "c", "d", "a", "b"]


@pytest.mark.parametrize(("a", "b"), [(-1.0, 2.5), (0.5, -3.0), (0.0, 0.0)])
def test_gradients_follow_the_derivatives_by_hand(a, b):
    e = backprop_graph(a, b)
    leaf_a, leaf_b = leaves(e)
    assert e.item() == pytest.approx((a + b) * (b + 1))
    assert leaf_a.grad.item() == pytest.approx(b + 1)
    assert leaf_b.grad.item() == pytest.approx((b + 1) + (a + b))


def test_the_expression_alone_has_no_gradients_yet():
    e = slides_expression(2.0, 1.0)
    a, b = leaves(e)
    assert e.item() == 6.0 and a.grad is None and b.grad is None
