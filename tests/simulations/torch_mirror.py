"""A torch copy of an nnlib MLP, to train side by side with torch.optim as the oracle."""

ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}


def torch_copy(torch, model, activation):
    """A float64 torch.nn.Sequential with the MLP's layers and a copy of its current weights."""
    layers = []
    linears = [layer for layer in model if hasattr(layer, "weight")]
    for i, linear in enumerate(linears):
        out_features, in_features = linear.weight.shape
        copy = torch.nn.Linear(in_features, out_features, dtype=torch.float64)
        with torch.no_grad():
            copy.weight.copy_(torch.tensor(linear.weight.data, dtype=torch.float64))
            copy.bias.copy_(torch.tensor(linear.bias.data, dtype=torch.float64))
        layers.append(copy)
        if i < len(linears) - 1:
            layers.append(getattr(torch.nn, ACTIVATIONS[activation])())
    return torch.nn.Sequential(*layers)
