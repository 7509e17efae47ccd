"""Write tests/fixtures/notebooks.json: what PyTorch prints for the code the notebooks translate.

Run from the repository root with a Python that has torch installed:

    python tools/parity/notebook_fixtures.py

The notebooks say that after the same seed their printed numbers are PyTorch's. This script
runs, in each notebook's order, the PyTorch code shown above its Rust cells (every call that
draws from the generator, in the same order, so the stream is the same) and records what
PyTorch prints: `str()` of tensors and parameters, the losses of training as `f"{:.4f}"`, and
plain numbers as floats. `tests/notebook_parity.rs` runs the same steps with d2l and compares
each recorded entry, training included.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from common import write_json


def linear_only(f):
    """`net.apply(f)` with the notebooks' `type(m) == nn.Linear` test."""
    def g(m):
        if type(m) == nn.Linear:
            f(m)
    return g


def access():
    """1-parameter-access: the MLP, one layer's state_dict, the nested rgnet."""
    out = {}
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    X = torch.rand(size=(2, 4))
    out["X"] = str(X)
    out["net(X)"] = str(net(X))
    out["net[2].state_dict()"] = str(net[2].state_dict())
    out["net[2].bias"] = str(net[2].bias)

    def block1():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())

    def block2():
        net = nn.Sequential()
        for i in range(4):
            net.add_module(f"block {i}", block1())
        return net

    rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
    out["rgnet(X)"] = str(rgnet(X))
    out["dead units"] = [int((layer(X) == 0).all(dim=0).sum()) for layer in dead_prefixes(rgnet)]
    out["rgnet[0][1][0].bias.data"] = str(rgnet[0][1][0].bias.data)
    return out


def dead_prefixes(rgnet):
    """The outputs after each block of rgnet[0], as functions of X (for counting dead units)."""
    blocks = list(rgnet[0])
    return [nn.Sequential(*blocks[: i + 1]) for i in range(len(blocks))]


def initialization():
    """2-initialization: the default init checked draw for draw, apply, Xavier and 42."""
    out = {}
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    X = torch.rand(size=(2, 4))
    out["net(X)"] = str(net(X))
    torch.manual_seed(1)
    layer = nn.Linear(4, 8)
    torch.manual_seed(1)
    w, b = torch.empty(8, 4), torch.empty(8)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    nn.init.uniform_(b, -1 / math.sqrt(4), 1 / math.sqrt(4))
    out["default init is kaiming_uniform_ then uniform_"] = [
        torch.equal(layer.weight, w), torch.equal(layer.bias, b)
    ]
    nn.Linear(256, 256)  # the histogram of the default init draws its weights
    net.apply(linear_only(lambda m: (nn.init.normal_(m.weight, mean=0, std=0.01),
                                     nn.init.zeros_(m.bias))))
    out["init_normal"] = [str(net[0].weight.data[0]), str(net[0].bias.data[0])]
    net.apply(linear_only(lambda m: (nn.init.constant_(m.weight, 1), nn.init.zeros_(m.bias))))
    net[0].apply(linear_only(lambda m: nn.init.xavier_uniform_(m.weight)))
    net[2].apply(linear_only(lambda m: nn.init.constant_(m.weight, 42)))
    out["init_xavier"] = str(net[0].weight.data[0])
    return out


def custom_init():
    """3-custom-init: my_init, its fractions on a big layer, writing parameters directly."""
    out = {}
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    X = torch.rand(size=(2, 4))
    net(X)

    def my_init(m):
        if type(m) == nn.Linear:
            nn.init.uniform_(m.weight, -10, 10)
            m.weight.data *= m.weight.data.abs() >= 5

    net.apply(my_init)
    out["net[0].weight[:2]"] = str(net[0].weight[:2])
    big = nn.Linear(64, 256)
    my_init(big)
    w = big.weight.data
    out["fractions"] = [float((w >= 5).double().mean()), float((w == 0).double().mean()),
                        float((w <= -5).double().mean())]
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    out["net[0].weight.data[0]"] = str(net[0].weight.data[0])
    net[2].weight.data *= 0.1
    out["net[2].weight.data"] = str(net[2].weight.data)
    return out


def tied():
    """4-tied-parameters: the net with a shared layer, one step through a "copy" that is a
    second name for the same layer, against a real deep copy."""
    out = {}
    torch.manual_seed(0)
    shared = nn.Linear(8, 8)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(),
                        nn.Linear(8, 1))
    X = torch.rand(size=(2, 4))
    out["net(X)"] = str(net(X))
    return out


def tied_mlp():
    shared_fc = nn.Linear(4, 4)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), shared_fc, nn.ReLU(), shared_fc, nn.ReLU(),
                         nn.Linear(4, 3))


def exercises():
    """5-exercises: NestMLP's values, and the two epochs and 100 steps of exercise 3."""
    out = {}
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
    linear = nn.Linear(32, 16)
    linear(net(torch.rand(2, 20)))
    out["model.net[2].bias.data[:4]"] = str(net[2].bias.data[:4])
    w = torch.empty(256, 128)
    nn.init.uniform_(w, -0.1, 0.1)
    nn.init.normal_(w, 0, 0.05)
    nn.init.trunc_normal_(w, 0, 0.1, -0.1, 0.1)
    nn.init.xavier_uniform_(w)
    nn.init.xavier_normal_(w)
    nn.init.kaiming_uniform_(w)
    nn.init.kaiming_normal_(w)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    nn.init.sparse_(w, 0.9, 0.01)

    MLP = tied_mlp()
    X = torch.randn(32, 3)
    Y = X @ torch.randn(3, 3)
    optimizer = torch.optim.SGD(MLP.parameters(), lr=0.05)
    epochs = []
    for _ in range(2):
        loss = F.mse_loss(MLP(X), Y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epochs.append({
            "loss": f"{loss.item():.4f}",
            "params": [[name, str(p.data[:2]), str(p.grad[:2])]
                       for name, p in MLP.named_parameters()],
        })
    out["two epochs"] = epochs

    MLP, X = tied_mlp(), torch.randn(32, 3)
    Y = X @ torch.randn(3, 3)
    mirror = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(),
                           nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 3))
    optimizer = torch.optim.SGD(MLP.parameters(), lr=0.05)
    losses = []
    for _ in range(100):
        mirror.load_state_dict(MLP.state_dict())
        mirror.zero_grad()
        F.mse_loss(mirror(X), Y).backward()
        optimizer.zero_grad()
        loss = F.mse_loss(MLP(X), Y)
        loss.backward()
        losses.append(f"{loss.item():.4f}")
        optimizer.step()
    out["100 steps: losses"] = losses
    return out


def main():
    doc = {
        "torch_version": torch.__version__,
        "1-parameter-access": access(),
        "2-initialization": initialization(),
        "3-custom-init": custom_init(),
        "4-tied-parameters": tied(),
        "5-exercises": exercises(),
    }
    write_json("notebooks.json", doc)


if __name__ == "__main__":
    main()
