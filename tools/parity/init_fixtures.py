"""Write tests/fixtures/init.json: what torch.nn.init and nn.Linear produce after a seed.

Run from the repository root with a Python that has torch installed:

    python tools/parity/init_fixtures.py

Each case seeds PyTorch's default CPU generator with `torch.manual_seed(seed)`, then runs a
list of initialisations in order on fresh float32 tensors (`torch.zeros(shape)`), recording
the values each one leaves in its tensor. A "fresh" case holds a single initialisation; a
"chain" case runs many in a row from one seed, so the generator's state carries from one
call to the next. `tests/init_parity.rs` replays the same calls with `d2l::nn::init` after
`d2l::manual_seed(seed)` and compares.

The file also records `nn.Linear(4, 8)`'s default weight and bias for a few seeds, and the
chapter's MLP: `torch.manual_seed(0)`, `nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
nn.Linear(8, 1))`, `X = torch.rand(size=(2, 4))`, with every parameter and `net(X)`, and then
the chapter's custom initialisations applied one after another to that network (`init_normal`,
`init_constant`, `init_xavier` on the first layer with `init_42` on the last, `my_init`), with
every parameter after each.

Floats are written as Python floats (float32 values widen to float64 exactly); `json` writes
them with `repr`, the shortest text that reads back to the same float64.
"""

import json
import math

import torch
from torch import nn

from common import floats, write_text

SEEDS = [0, 1, 42]

# (op, shape, keyword arguments) in the order of the "chain" cases.
OPS = [
    ("uniform_", [3, 5], {"a": -10.0, "b": 10.0}),
    ("uniform_", [4], {"a": 0.0, "b": 1.0}),
    ("normal_", [3, 4], {"mean": 0.0, "std": 0.01}),
    ("normal_", [2, 8], {"mean": 0.0, "std": 1.0}),
    ("normal_", [5, 7], {"mean": 1.0, "std": 2.0}),
    ("xavier_uniform_", [8, 4], {"gain": 1.0}),
    ("xavier_uniform_", [16, 3, 3, 3], {"gain": math.sqrt(2.0)}),
    ("xavier_normal_", [8, 4], {"gain": 1.0}),
    ("xavier_normal_", [3, 4], {"gain": 2.0}),
    ("kaiming_uniform_", [8, 4], {"a": 0.0, "mode": "fan_in", "nonlinearity": "leaky_relu"}),
    ("kaiming_uniform_", [8, 4], {"a": math.sqrt(5.0), "mode": "fan_in", "nonlinearity": "leaky_relu"}),
    ("kaiming_uniform_", [6, 5, 3], {"a": 0.0, "mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", [8, 4], {"a": 0.0, "mode": "fan_in", "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", [3, 4], {"a": 0.0, "mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", [6, 5, 3], {"a": 0.2, "mode": "fan_in", "nonlinearity": "leaky_relu"}),
    ("trunc_normal_", [8, 4], {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0}),
    ("trunc_normal_", [3, 5], {"mean": 0.0, "std": 1.0, "a": 1.5, "b": 3.0}),
    ("trunc_normal_", [40], {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 1.0}),
    ("sparse_", [10, 6], {"sparsity": 0.3, "std": 0.01}),
    ("sparse_", [7, 3], {"sparsity": 0.5, "std": 1.0}),
    ("orthogonal_", [3, 5], {"gain": 1.0}),
    ("orthogonal_", [5, 3], {"gain": 1.0}),
    ("orthogonal_", [4, 2, 3], {"gain": 1.0}),
    ("orthogonal_", [6, 6], {"gain": 2.0}),
    ("eye_", [3, 5], {}),
    ("dirac_", [4, 2, 3, 3], {"groups": 2}),
    ("constant_", [2, 3], {"val": 0.3}),
]


def run(op, shape, kwargs):
    t = torch.zeros(shape)
    getattr(nn.init, op)(t, **kwargs)
    return {"op": op, "shape": shape, "args": kwargs, "values": floats(t)}


def main():
    fresh, chains, linear = [], [], []
    for seed in SEEDS:
        for op, shape, kwargs in OPS:
            torch.manual_seed(seed)
            fresh.append({"seed": seed, **run(op, shape, kwargs)})
        torch.manual_seed(seed)
        chains.append({"seed": seed, "ops": [run(*o) for o in OPS]})
        torch.manual_seed(seed)
        layer = nn.Linear(4, 8)
        linear.append({"seed": seed, "weight": floats(layer.weight), "bias": floats(layer.bias)})

    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    X = torch.rand(size=(2, 4))
    mlp = {
        "seed": 0,
        "X": floats(X),
        "params": [{"name": n, "shape": list(p.shape), "values": floats(p)} for n, p in net.named_parameters()],
        "output": floats(net(X)),
    }

    # The chapter's custom initialisations, one after another on that same network.
    def init_normal(m):
        if type(m) == nn.Linear:
            nn.init.normal_(m.weight, mean=0, std=0.01)
            nn.init.zeros_(m.bias)

    def init_constant(m):
        if type(m) == nn.Linear:
            nn.init.constant_(m.weight, 1)
            nn.init.zeros_(m.bias)

    def init_xavier(m):
        if type(m) == nn.Linear:
            nn.init.xavier_uniform_(m.weight)

    def init_42(m):
        if type(m) == nn.Linear:
            nn.init.constant_(m.weight, 42)

    def my_init(m):
        if type(m) == nn.Linear:
            nn.init.uniform_(m.weight, -10, 10)
            m.weight.data *= m.weight.data.abs() >= 5

    def snapshot(step):
        return {"step": step, "params": [floats(p) for _, p in net.named_parameters()]}

    steps = []
    net.apply(init_normal)
    steps.append(snapshot("init_normal"))
    net.apply(init_constant)
    steps.append(snapshot("init_constant"))
    net[0].apply(init_xavier)
    net[2].apply(init_42)
    steps.append(snapshot("init_xavier, init_42"))
    net.apply(my_init)
    steps.append(snapshot("my_init"))
    mlp["custom_inits"] = steps

    out = {
        "torch_version": torch.__version__,
        "fresh": fresh,
        "chains": chains,
        "linear": linear,
        "mlp": mlp,
    }
    # One line per recorded case keeps the file small and its diffs readable.
    lines = []
    for i, (key, value) in enumerate(out.items()):
        comma = "," if i + 1 < len(out) else ""
        if isinstance(value, list):
            items = ",\n  ".join(json.dumps(v) for v in value)
            lines.append(f" {json.dumps(key)}: [\n  {items}\n ]{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    write_text("init.json", "{\n" + "\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main()
