"""Tests of nnlib.nn: layers against torch and central differences, initialisation, modules, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import Tensor, activations, losses, nn
from nnlib.gradcheck import numerical_grad


@pytest.fixture(autouse=True)
def _fresh_seed():
    nnlib.manual_seed(0)


# ------------------------------------------------------------------ Linear
def test_linear_shapes_and_formula():
    layer = nn.Linear(3, 4)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-6)
    assert nn.Linear(3, 4, bias=False).bias is None


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 5), n_in=st.integers(1, 4), n_out=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_linear_gradients_match_central_differences(n, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, dtype=np.float64)
    layer.bias.data[:] = rng.normal(size=n_out)
    x = rng.normal(size=(n, n_in))
    weights = rng.normal(size=(n, n_out))

    def loss(x, w, b):
        layer.weight.data, layer.bias.data = w, b
        return (layer(x) * weights).sum()

    w0, b0 = layer.weight.data.copy(), layer.bias.data.copy()
    expected = numerical_grad(loss, Tensor(x), w0, b0)
    layer.weight.data, layer.bias.data = w0, b0
    x_tensor = Tensor(x, requires_grad=True)
    (layer(x_tensor) * weights).sum().backward()
    for got, want in zip((x_tensor.grad, layer.weight.grad, layer.bias.grad), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(bias):
    torch = pytest.importorskip("torch")
    layer = nn.Linear(6, 3, bias=bias, dtype=np.float64)
    if bias:
        layer.bias.data[:] = [0.5, -1.0, 2.0]
    x = np.random.default_rng(1).normal(size=(4, 6))
    upstream = np.random.default_rng(2).normal(size=(4, 3))
    x_tensor = Tensor(x, requires_grad=True)
    out = layer(x_tensor)
    out.backward(upstream)

    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(layer.weight.data, requires_grad=True)
    tb = torch.tensor(layer.bias.data, requires_grad=True) if bias else None
    tout = torch.nn.functional.linear(tx, tw, tb)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(x_tensor.grad, tx.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(layer.weight.grad, tw.grad.numpy(), rtol=1e-13)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, tb.grad.numpy(), rtol=1e-13)


class CountingArray(np.ndarray):
    """An ndarray that counts the matrix products it takes part in."""

    matmuls = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            CountingArray.matmuls += 1
        inputs = tuple(x.view(np.ndarray) if isinstance(x, CountingArray) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


@pytest.mark.parametrize("input_requires_grad", [False, True])
def test_linear_computes_the_input_gradient_only_when_needed(input_requires_grad):
    layer = nn.Linear(4, 3)
    layer.weight.data = layer.weight.data.view(CountingArray)
    x = Tensor(np.ones((2, 4), dtype=np.float32), requires_grad=input_requires_grad)
    CountingArray.matmuls = 0
    out = layer(x)
    assert CountingArray.matmuls == 1  # x W^T
    out.sum().backward()
    # dL/dW = g^T x does not involve W; dL/dx = g W does, and only it.
    assert CountingArray.matmuls == 1 + input_requires_grad
    assert (x.grad is not None) == input_requires_grad and layer.weight.grad is not None


def test_linear_is_one_node_of_the_graph():
    layer = nn.Linear(2, 2)
    x = Tensor(np.ones((1, 2), dtype=np.float32))
    out = layer(x)
    assert out.op == "linear" and out.inputs == (x, layer.weight, layer.bias)


# ------------------------------------------------------------ initialisation
@pytest.mark.parametrize(
    ("init", "n_in", "n_out", "expected_std"),
    [("he", 800, 400, np.sqrt(2 / 800)), ("xavier", 800, 400, np.sqrt(2 / 1200)), ("he", 50, 3000, 0.2)],
)
def test_initial_weights_have_the_documented_spread(init, n_in, n_out, expected_std):
    layer = nn.Linear(n_in, n_out, init=init)
    w = layer.weight.data
    assert w.std() == pytest.approx(expected_std, rel=0.02)  # 320000 or 150000 draws: ~0.2% noise
    assert abs(w.mean()) < 0.01 * expected_std
    np.testing.assert_array_equal(layer.bias.data, 0)


@pytest.mark.parametrize(
    ("activation", "init"),
    [("relu", "he"), ("leaky_relu", "he"), ("sigmoid", "xavier"), ("tanh", "xavier"), (nn.Tanh, "xavier")],
)
def test_mlp_picks_the_initialisation_for_its_activation(activation, init):
    mlp = nn.MLP([500, 300, 10], activation=activation)
    for layer in (mlp[0], mlp[2]):
        n_out, n_in = layer.weight.shape
        expected = np.sqrt(2 / n_in) if init == "he" else np.sqrt(2 / (n_in + n_out))
        assert layer.weight.data.std() == pytest.approx(expected, rel=0.1)


def test_manual_seed_reproduces_a_model_and_other_seeds_differ():
    nnlib.manual_seed(42)
    first = [p.data.copy() for p in nn.MLP([3, 5, 2]).parameters()]
    nnlib.manual_seed(42)
    again = [p.data for p in nn.MLP([3, 5, 2]).parameters()]
    nnlib.manual_seed(43)
    other = nn.MLP([3, 5, 2]).parameters()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0].data)


def test_float32_and_float64_models_start_from_the_same_numbers():
    nnlib.manual_seed(5)
    single = nn.Linear(4, 3)
    nnlib.manual_seed(5)
    double = nn.Linear(4, 3, dtype=np.float64)
    np.testing.assert_array_equal(single.weight.data, double.weight.data.astype(np.float32))


# ------------------------------------------------------------------- dtypes
def test_parameters_and_gradients_keep_their_dtype():
    for dtype, model in ((np.float32, nn.MLP([3, 4, 2])), (np.float64, nn.MLP([3, 4, 2], dtype=np.float64))):
        x = np.random.default_rng(0).normal(size=(5, 3))  # float64 data, also for the float32 model
        out = model(x)
        losses.cross_entropy(out, [0, 1, 1, 0, 1]).backward()
        assert out.dtype == dtype
        for p in model.parameters():
            assert p.dtype == dtype and p.grad.dtype == dtype


def test_default_dtype_applies_when_the_model_is_built():
    nnlib.set_default_dtype(np.float64)
    try:
        model = nn.MLP([2, 3, 1])
    finally:
        nnlib.set_default_dtype(np.float32)
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert nn.Linear(2, 2).weight.dtype == np.float32


# ---------------------------------------------------------------- Modules
class Block(nn.Module):
    def __init__(self):
        self.scale = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
        self.constant = Tensor(np.ones(2))  # does not require grad: not a parameter
        self.first = nn.Linear(2, 2)
        self.heads = [nn.Linear(2, 1), nn.Linear(2, 1)]
        self.tied = self.first.weight  # shared: listed once
        self.note = "not a module"

    def forward(self, x):
        h = self.first(x) * self.scale
        return sum((head(h) for head in self.heads[1:]), self.heads[0](h))


def test_parameters_are_found_recursively_once_each_in_order():
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    assert names == [
        "scale",
        "first.weight",
        "first.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
        "heads.1.bias",
    ]
    assert [id(p) for p in block.parameters()] == [id(p) for _, p in block.named_parameters()]
    nested = nn.Sequential(block, nn.ReLU(), nn.Linear(1, 1))
    assert len(nested.parameters()) == 9
    assert nested.named_parameters()[1][0] == "0.first.weight"


def test_zero_grad_forgets_every_gradient():
    block = Block()
    block(np.ones((3, 2))).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())


def test_each_parameter_gradient_is_its_own_array():
    """Optimizers may update gradients in place: no gradient may share memory with another."""
    layer = nn.Linear(3, 2)
    offset = Tensor(np.zeros((4, 2), dtype=np.float32), requires_grad=True)  # gets out's gradient as is
    out = layer(np.ones((4, 3))) + offset
    out.backward(np.ones((4, 2), dtype=np.float32))
    arrays = [out.grad, offset.grad, layer.weight.grad, layer.bias.grad]
    for i, a in enumerate(arrays):
        assert a.flags.writeable
        for b in arrays[i + 1 :]:
            assert not np.shares_memory(a, b)


def test_train_and_eval_switch_every_submodule():
    model = nn.Sequential(Block(), nn.MLP([1, 2, 1]))
    assert model.eval() is model
    modules = [model, model[0], model[0].first, model[0].heads[1], model[1], model[1][1]]
    assert not any(m.training for m in modules)
    model.train()
    assert all(m.training for m in modules)


def test_repr_shows_the_architecture():
    model = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.1), nn.MLP([8, 4, 1], activation="tanh"))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(2 -> 8)\n"
        "  (1): LeakyReLU(negative_slope=0.1)\n"
        "  (2): MLP(\n"
        "    (0): Linear(8 -> 4)\n"
        "    (1): Tanh()\n"
        "    (2): Linear(4 -> 1)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Linear(3, 1, bias=False)) == "Linear(3 -> 1, bias=False)"


def test_sequential_applies_in_order_and_indexes():
    a, b = nn.Linear(2, 3), nn.Linear(3, 1)
    model = nn.Sequential(a, nn.ReLU(), b)
    x = np.array([[1.0, -2.0]], dtype=np.float32)
    np.testing.assert_allclose(model(x).data, b(activations.relu(a(x))).data)
    assert len(model) == 3 and model[2] is b and list(model)[0] is a
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_activation_modules_apply_their_function():
    x = np.linspace(-2, 2, 9)
    for module, function in (
        (nn.ReLU(), activations.relu),
        (nn.Sigmoid(), activations.sigmoid),
        (nn.Tanh(), activations.tanh),
        (nn.LeakyReLU(0.3), lambda v: activations.leaky_relu(v, 0.3)),
    ):
        np.testing.assert_array_equal(module(Tensor(x)).data, function(x))
        assert module.parameters() == []


def test_mlp_structure():
    mlp = nn.MLP([2, 16, 16, 3], activation="sigmoid")
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    assert [m.weight.shape for m in mlp if isinstance(m, nn.Linear)] == [(16, 2), (16, 16), (3, 16)]
    assert len(nn.MLP([4, 1])) == 1
    assert mlp(np.zeros((7, 2))).shape == (7, 3)


def test_mlp_gradients_match_torch():
    torch = pytest.importorskip("torch")
    mlp = nn.MLP([3, 5, 4, 3], activation="tanh", dtype=np.float64)
    for p in mlp.parameters():
        p.data += np.random.default_rng(p.size).normal(scale=0.1, size=p.shape)  # non-zero biases too
    x = np.random.default_rng(0).normal(size=(6, 3))
    y = np.array([0, 2, 1, 1, 0, 2])
    losses.cross_entropy(mlp(x), y).backward()

    linears = [m for m in mlp if isinstance(m, nn.Linear)]
    reference = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3)
    ).double()
    torch_linears = [m for m in reference if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for ours, theirs in zip(linears, torch_linears):
            theirs.weight.copy_(torch.tensor(ours.weight.data))
            theirs.bias.copy_(torch.tensor(ours.bias.data))
    torch.nn.functional.cross_entropy(reference(torch.tensor(x)), torch.tensor(y)).backward()
    for ours, theirs in zip(linears, torch_linears):
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-14)


# ------------------------------------------------------------------ Neuron
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_neuron_computes_activation_of_weighted_sum_and_its_gradient(activation):
    neuron = nn.Neuron(3, activation=activation, dtype=np.float64)
    neuron.bias.data[...] = 0.3
    x = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, -1.0]])
    functions = {
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0),
        "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
        "linear": lambda z: z,
    }
    expected = functions[activation](x @ neuron.weight.data + 0.3)
    np.testing.assert_allclose(neuron(x).data, expected, rtol=1e-12)
    assert neuron(x[0]).shape == ()

    w0 = neuron.weight.data.copy()

    def output(w):
        neuron.weight.data = w
        return neuron(x).sum()

    numerical = numerical_grad(output, w0)
    neuron.weight.data = w0
    neuron(x).sum().backward()
    np.testing.assert_allclose(neuron.weight.grad, numerical, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ errors
def test_linear_names_the_expected_input_shape():
    with pytest.raises(
        ValueError,
        match=r"Linear\(3 -> 4\) expected input with 3 features \(shape \(n, 3\)\), got shape \(5, 2\)",
    ):
        nn.Linear(3, 4)(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"got shape \(3,\); for a single sample use x.reshape\(1, -1\)"):
        nn.Linear(3, 4)(np.zeros(3))


def test_linear_refuses_a_differently_typed_input_that_requires_grad():
    with pytest.raises(TypeError, match=r"float32 parameters but got an input of dtype float64"):
        nn.Linear(2, 2)(Tensor(np.zeros((1, 2)), requires_grad=True, dtype=np.float64))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.Linear(0, 3), r"Linear: in_features must be a positive integer, got 0"),
        (lambda: nn.Linear(3, 2.5), r"Linear: out_features must be a positive integer, got 2.5"),
        (lambda: nn.Linear(3, 2, init="kaiming"), r"init must be one of \('he', 'xavier'\), got 'kaiming'"),
        (lambda: nn.Linear(3, 2, dtype=np.int32), r"dtype must be float32 or float64, got int32"),
        (lambda: nn.MLP([3]), r"MLP: sizes must be a list of at least 2 layer widths"),
        (lambda: nn.MLP(5), r"MLP: sizes must be a list of at least 2 layer widths"),
        (lambda: nn.MLP([3, -1, 2]), r"MLP: sizes\[1\] must be a positive integer, got -1"),
        (lambda: nn.MLP([3, 2], activation="gelu"), r"activation must be one of \['relu', 'leaky_relu'"),
        (lambda: nn.Neuron(2, activation="softmax"), r"Neuron: activation must be one of"),
        (lambda: nn.LeakyReLU("a lot"), r"negative_slope must be a finite number"),
        (lambda: nn.Sequential(nn.ReLU(), "relu"), r"Sequential: argument 1 is a str, not a Module"),
    ],
)
def test_bad_construction_is_explained(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_neuron_names_the_expected_input_shape():
    with pytest.raises(ValueError, match=r"expected input of shape \(3,\) or \(n, 3\), got shape \(2, 4\)"):
        nn.Neuron(3)(np.zeros((2, 4)))
