"""Tests of nnlib.tensor: every op's gradient against central differences and PyTorch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlib
from nnlib import NonFiniteError, Tensor, no_grad


def central_difference(f, arrays, eps=1e-6):
    """d f(*arrays) / d arrays[i] for every i, by central differences in float64."""
    grads = []
    for array in arrays:
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            original = array[index]
            array[index] = original + eps
            up = f(*arrays)
            array[index] = original - eps
            down = f(*arrays)
            array[index] = original
            grad[index] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


def autograd(f, arrays):
    """Gradients of sum(f(*tensors)) by nnlib's backward, in float64."""
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    f(*tensors).sum().backward()
    return [t.grad for t in tensors]


def assert_gradients_match(f, arrays):
    numeric = central_difference(lambda *a: float(np.sum(f(*[Tensor(x) for x in a]).data)), arrays)
    for got, expected in zip(autograd(f, arrays), numeric):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


# Each case: (name, function of tensors, input shapes, transform making inputs valid for the op).
BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: a.maximum(b),
}
UNARY_OPS = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "square": lambda a: a**2,
    "sqrt": lambda a: a**0.5,
    "rsub": lambda a: 1.0 - a,
    "rdiv": lambda a: 2.0 / a,
    "rpow": lambda a: 2.0**a,
    "sum": lambda a: a.sum(),
    "sum_axis0": lambda a: a.sum(axis=0),
    "sum_keepdims": lambda a: a.sum(axis=-1, keepdims=True) * a,
    "mean": lambda a: a.mean(axis=-1),
    "max_all": lambda a: a.max(),
    "max_axis": lambda a: a.max(axis=0, keepdims=True) * a,
    "reshape": lambda a: a.reshape(-1) * np.arange(a.size),
    "transpose": lambda a: a.T * np.arange(a.size).reshape(a.T.shape),
    "index_rows": lambda a: a[np.array([0, 0, a.shape[0] - 1])],
    "slice": lambda a: a[..., :1] * 3.0,
}


def positive_array(shape, seed):
    return np.random.default_rng(seed).uniform(0.5, 2.0, size=shape)


broadcastable_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
@settings(max_examples=15, deadline=None)
@given(shapes=broadcastable_pairs, seed=st.integers(0, 2**16))
def test_binary_op_gradients_match_central_differences_under_broadcasting(name, shapes, seed):
    a, b = (positive_array(s, seed + i) for i, s in enumerate(shapes.input_shapes))
    if name == "maximum":  # keep the two inputs apart: the kink is not differentiable
        b = np.asarray(b + np.where(np.random.default_rng(seed).random(b.shape) < 0.5, 1.0, -1.0) * 0.25)
    assert_gradients_match(BINARY_OPS[name], [a, b])


@pytest.mark.parametrize("name", sorted(UNARY_OPS))
@settings(max_examples=10, deadline=None)
@given(shape=hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), seed=st.integers(0, 2**16))
def test_unary_op_gradients_match_central_differences(name, shape, seed):
    a = positive_array(shape, seed)
    assert_gradients_match(UNARY_OPS[name], [a])


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_matmul_gradients_match_central_differences(n, k, m, seed):
    rng = np.random.default_rng(seed)
    assert_gradients_match(lambda a, b: a @ b, [rng.normal(size=(n, k)), rng.normal(size=(k, m))])


def test_gradients_match_torch_on_a_composite_expression():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4,))

    def expression(x, w, b, lib):
        h = (x @ w.T + b).exp() / (1.0 + (x @ w.T).exp())
        peak = lib.maximum(h, h * 0.5 + 0.1) if lib is torch else h.maximum(h * 0.5 + 0.1)
        flat = peak.reshape(-1)
        return (
            (flat[np.array([0, 3, 3, 7])].sum() + peak.amax(dim=1).mean())
            if lib is torch
            else (flat[np.array([0, 3, 3, 7])].sum() + peak.max(axis=1).mean())
        )

    ours = [Tensor(v.copy(), requires_grad=True) for v in (x, w, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x, w, b)]
    expression(*ours, lib=nnlib).backward()
    expression(*theirs, lib=torch).backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-10)


def test_max_ties_share_the_gradient_like_torch_amax():
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    ours, theirs = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours.max(axis=1).sum().backward()
    theirs.amax(dim=1).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


def test_slides_example_e_equals_a_plus_b_times_b_plus_one():
    a, b = Tensor(2.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    assert e.item() == 6
    assert (a.grad, b.grad) == (2, 5)
    assert (c.grad, d.grad) == (2, 3)  # de/dc = d, de/dd = c: the slide's local gradients


@pytest.mark.parametrize(
    ("x1", "x2", "f", "expected"),
    [
        (3.0, -2.0, lambda a, b: a * b, (-2.0, 3.0)),  # d(x1 x2) = (x2, x1)
        (3.0, -2.0, lambda a, b: a + b, (1.0, 1.0)),
        (3.0, -2.0, lambda a, b: a.maximum(b), (1.0, 0.0)),  # 1 for the larger input
        (-1.0, 4.0, lambda a, b: a.maximum(b), (0.0, 1.0)),
    ],
)
def test_slides_local_derivatives(x1, x2, f, expected):
    a, b = Tensor(x1, requires_grad=True), Tensor(x2, requires_grad=True)
    f(a, b).backward()
    assert (a.grad, b.grad) == expected


def test_gradients_accumulate_over_backward_calls_like_torch():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, 2 * (2 * x.data))


def test_a_reused_tensor_sums_gradients_of_all_its_uses():
    x = Tensor(3.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad == 2 * 3.0 + 1


def test_second_backward_through_a_freed_graph_is_a_clear_error():
    x = Tensor(1.0, requires_grad=True)
    y = x.exp() * 2
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_backward_of_a_non_scalar_needs_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*grad="):
        (x * 2).backward()
    (x * 2).backward(grad=np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))


def test_backward_grad_of_the_wrong_shape_is_rejected():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"grad has shape \(2,\), expected.*\(3,\)"):
        (x * 2).backward(grad=np.ones(2))


def test_backward_without_requires_grad_is_a_clear_error():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (Tensor(1.0) * 2).backward()


def test_non_finite_loss_raises_instead_of_spreading_nan():
    x = Tensor(1000.0, requires_grad=True, dtype=np.float32)
    with np.errstate(over="ignore"), pytest.raises(NonFiniteError, match="diverged"):
        x.exp().backward()
    assert x.grad is None


def test_inputs_without_requires_grad_get_no_gradient_and_none_is_computed():
    def must_not_run(g):
        raise AssertionError("computed a gradient nobody asked for")

    w = Tensor(2.0, requires_grad=True)
    x = Tensor(5.0)
    out = Tensor.from_op(w.data * x.data, "*", (w, lambda g: g * x.data), (x, must_not_run))
    out.backward()
    assert w.grad == 5.0 and x.grad is None


def test_no_grad_records_nothing():
    w = Tensor(2.0, requires_grad=True)
    with no_grad():
        y = w * 3
    assert not y.requires_grad and y.inputs == ()


def test_nodes_keep_their_op_and_inputs_for_drawing_even_after_backward():
    a, b = Tensor(2.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    e = (a + b) * (b + 1)
    e.backward()
    assert e.op == "*"
    assert [node.op for node in e.inputs] == ["+", "+"]
    assert e.inputs[0].inputs == (a, b)


def test_float32_by_default_and_python_numbers_do_not_promote():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 0.5 + 1 - 2.0 / (x + 3)) ** 2
    y.sum().backward()
    assert x.dtype == y.dtype == x.grad.dtype == np.float32


def test_float64_on_request_stays_float64():
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    (x * 0.5).exp().sum().backward()
    assert x.grad.dtype == np.float64
    assert Tensor(np.zeros(2)).dtype == np.float64  # float64 arrays keep their dtype, as torch.from_numpy


def test_set_default_dtype_changes_new_tensors():
    try:
        nnlib.set_default_dtype(np.float64)
        assert Tensor([1, 2]).dtype == np.float64
    finally:
        nnlib.set_default_dtype(np.float32)
    with pytest.raises(ValueError, match="float32 or float64"):
        nnlib.set_default_dtype(np.int32)


def test_shapes_that_do_not_broadcast_name_both_shapes():
    with pytest.raises(ValueError, match=r"'\+': shapes \(3,\) and \(4,\) do not broadcast"):
        Tensor(np.ones(3)) + Tensor(np.ones(4))


def test_matmul_with_mismatched_inner_sizes_names_them():
    with pytest.raises(ValueError, match=r"\(5, 2\) @ \(3, 4\): inner sizes 2 and 3 differ"):
        Tensor(np.ones((5, 2))) @ Tensor(np.ones((3, 4)))


def test_reshape_to_an_impossible_shape_is_a_clear_error():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) \(6 values\) into \(4,\)"):
        Tensor(np.ones((2, 3))).reshape(4)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="floating"):
        Tensor(np.array([1, 2]), requires_grad=True, dtype=np.int64)


def test_ndarray_on_the_left_of_an_operator_still_builds_a_graph():
    x = Tensor(np.ones(3), requires_grad=True, dtype=np.float64)
    y = np.arange(3.0) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(3.0))


def test_a_deep_graph_does_not_hit_the_recursion_limit():
    x = Tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_a_tensor_copies_its_data_so_in_place_updates_do_not_touch_the_source():
    source = np.zeros(3)
    x = Tensor(source, requires_grad=True)
    x.data -= 1.0
    np.testing.assert_array_equal(source, np.zeros(3))


def test_as_tensor_shares_memory_like_torch_as_tensor():
    batch = np.ones((4, 3), dtype=np.float32)
    shared = nnlib.as_tensor(batch)
    assert np.shares_memory(shared.data, batch) and not shared.requires_grad
    assert nnlib.as_tensor(shared) is shared
    assert nnlib.as_tensor(batch, dtype=np.float64).dtype == np.float64
    assert nnlib.as_tensor([1, 2]).dtype == np.float32


# ------------------------------------------------------ the public graph
def test_topological_order_lists_each_node_once_before_its_inputs():
    a = nnlib.tensor([2.0], requires_grad=True)
    b = nnlib.tensor([3.0], requires_grad=True)
    c = a + b
    e = c * (b + 1)
    order = nnlib.topological_order(e)
    assert order[0] is e
    assert len(order) == len({id(node) for node in order}) == 6  # e, c, b + 1, the constant 1, a, b
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in node.inputs:
            assert position[id(node)] < position[id(parent)]


def test_input_grads_are_the_local_derivatives_and_fail_once_freed():
    a = nnlib.tensor(2.0, requires_grad=True)
    b = nnlib.tensor(3.0, requires_grad=True)
    e = a * b
    da, db = e.input_grads(np.ones_like(e.data))
    assert (da.item(), db.item()) == (3.0, 2.0)  # d(ab)/da = b, d(ab)/db = a
    constant = a * nnlib.tensor(5.0)
    assert constant.input_grads(np.ones(()))[1] is None  # the constant needs no gradient
    e.backward()
    assert e.grad_fns is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        e.input_grads(np.ones(()))


def test_detach_shares_storage_like_torch():
    torch = pytest.importorskip("torch")
    x = nnlib.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d.data[0] = 5.0
    assert x.data[0] == 5.0
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    td = tx.detach()
    td[0] = 5.0
    assert tx[0].item() == 5.0  # the same behaviour in the oracle


def test_leaf_gradients_never_share_memory():
    a = nnlib.tensor([1.0, 2.0], requires_grad=True)
    b = nnlib.tensor([3.0, 4.0], requires_grad=True)
    y = a + b  # '+' passes its gradient on unchanged
    y.backward(np.ones(2))
    assert not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, y.grad)
    w = nnlib.tensor([[1.0, 2.0]], requires_grad=True)
    w.reshape(2).sum().backward()  # reshape and sum hand on views
    assert w.grad.flags.writeable and w.grad.base is None


def test_dtype_for_is_the_one_dtype_rule():
    assert nnlib.dtype_for([1, 2]) == nnlib.get_default_dtype()
    assert nnlib.dtype_for(np.arange(3)) == nnlib.get_default_dtype()
    assert nnlib.dtype_for(np.zeros(2, dtype=np.float64)) == np.float64
    assert nnlib.dtype_for(np.zeros(2, dtype=np.float64), np.float32) == np.float32
    assert nnlib.tensor([1, 2]).dtype == nnlib.as_tensor([1, 2]).dtype == nnlib.get_default_dtype()
