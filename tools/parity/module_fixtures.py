"""Write tests/fixtures/modules.json: how PyTorch walks a module tree in which one object is
reached more than once.

Run from the repository root with a Python that has torch installed:

    python tools/parity/module_fixtures.py

Each case describes a tree as a list of definitions, made in order after
`torch.manual_seed(seed)` (so a `Linear`'s default initialisation draws in that order):

    ["Linear", in, out, bias]        nn.Linear(in, out, bias=bias)
    ["ReLU"], ["Tanh"], ["Sigmoid"], ["Identity"]
    ["Sequential", [var, ...]]       nn.Sequential(*vars)
    ["Named", [[name, var], ...]]    nn.Sequential() then add_module(name, var) for each

A variable used twice is the same Python object. For each case the file records what PyTorch
answers: `named_modules()`, `named_children()`, `modules()` and `children()` (which report an
object reached twice once), `named_parameters()` and the `state_dict()` keys, `print(net)`,
which places of the whole tree hold one object (`named_modules(remove_duplicate=False)`), the
same for `copy.deepcopy(net)`, and the order in which `apply` visits modules. For each seed it
records the `state_dict` values after construction and after `apply(init)`, where `init`
draws `uniform_(weight, -0.5, 0.5)` and sets the bias to the number of `Linear` visits so far:
an object that `apply` visits twice draws twice. `tests/modules_parity.rs` builds the same
trees with `d2l` (a clone for each further use of a variable) and compares.
"""

import copy

import torch
from torch import nn

from common import floats, write_json

SEEDS = [0, 42, 2**31 - 1]

CASES = {
    "a block added twice": [
        ["l", ["Linear", 4, 4, True]],
        ["r", ["ReLU"]],
        ["blk", ["Sequential", ["l", "r"]]],
        ["net", ["Sequential", ["blk", "blk"]]],
    ],
    "one ReLU between every layer": [
        ["a", ["Linear", 4, 8, True]],
        ["relu", ["ReLU"]],
        ["b", ["Linear", 8, 8, True]],
        ["c", ["Linear", 8, 1, True]],
        ["net", ["Sequential", ["a", "relu", "b", "relu", "c"]]],
    ],
    "blocks whose only parameters are tied": [
        ["lin", ["Linear", 4, 4, True]],
        ["r", ["ReLU"]],
        ["t", ["Tanh"]],
        ["b1", ["Sequential", ["lin", "r"]]],
        ["b2", ["Sequential", ["lin", "t"]]],
        ["net", ["Sequential", ["b1", "b2", "b1"]]],
    ],
    "a block at two depths": [
        ["l", ["Linear", 3, 3, True]],
        ["s", ["Sigmoid"]],
        ["blk", ["Sequential", ["l", "s"]]],
        ["r", ["ReLU"]],
        ["inner", ["Sequential", ["blk", "r"]]],
        ["out", ["Linear", 3, 2, True]],
        ["net", ["Sequential", ["blk", "inner", "out"]]],
    ],
    "a named block under two names": [
        ["l0", ["Linear", 4, 4, True]],
        ["r0", ["ReLU"]],
        ["blk", ["Sequential", ["l0", "r0"]]],
        ["l1", ["Linear", 4, 4, True]],
        ["r1", ["ReLU"]],
        ["other", ["Sequential", ["l1", "r1"]]],
        ["net", ["Named", [["block 0", "blk"], ["block 1", "other"], ["again", "blk"]]]],
    ],
    "the chapter's shared layer": [
        ["in", ["Linear", 4, 8, True]],
        ["r1", ["ReLU"]],
        ["shared", ["Linear", 8, 8, True]],
        ["r2", ["ReLU"]],
        ["r3", ["ReLU"]],
        ["out", ["Linear", 8, 1, True]],
        ["net", ["Sequential", ["in", "r1", "shared", "r2", "shared", "r3", "out"]]],
    ],
    "a shared Identity and a layer without bias": [
        ["l", ["Linear", 2, 2, False]],
        ["i", ["Identity"]],
        ["tail", ["Sequential", ["i", "l"]]],
        ["net", ["Sequential", ["l", "i", "l", "i", "tail"]]],
    ],
    "one block four times under names": [
        ["a", ["Linear", 4, 8, True]],
        ["r1", ["ReLU"]],
        ["b", ["Linear", 8, 4, True]],
        ["r2", ["ReLU"]],
        ["block1", ["Sequential", ["a", "r1", "b", "r2"]]],
        ["block2", ["Named", [[f"block {i}", "block1"] for i in range(4)]]],
        ["head", ["Linear", 4, 1, True]],
        ["net", ["Sequential", ["block2", "head"]]],
    ],
    "nothing shared": [
        ["a", ["Linear", 4, 8, True]],
        ["r1", ["ReLU"]],
        ["b", ["Linear", 8, 8, True]],
        ["r2", ["ReLU"]],
        ["inner", ["Sequential", ["b", "r2"]]],
        ["c", ["Linear", 8, 1, True]],
        ["net", ["Sequential", ["a", "r1", "inner", "c"]]],
    ],
    "parameterless modules only": [
        ["r", ["ReLU"]],
        ["t", ["Tanh"]],
        ["r2", ["ReLU"]],
        ["empty", ["Sequential", []]],
        ["net", ["Sequential", ["r", "t", "r", "r2", "empty", "empty"]]],
    ],
}

SIMPLE = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid, "Identity": nn.Identity}


def build(defs):
    env = {}
    for var, spec in defs:
        kind = spec[0]
        if kind == "Linear":
            env[var] = nn.Linear(spec[1], spec[2], bias=spec[3])
        elif kind in SIMPLE:
            env[var] = SIMPLE[kind]()
        elif kind == "Sequential":
            env[var] = nn.Sequential(*[env[v] for v in spec[1]])
        elif kind == "Named":
            seq = nn.Sequential()
            for name, v in spec[1]:
                seq.add_module(name, env[v])
            env[var] = seq
        else:
            raise ValueError(kind)
    return env[defs[-1][0]]


def groups(net):
    """For each place of the whole tree, the index of the first place holding the same object."""
    places = list(net.named_modules(remove_duplicate=False))
    first = {}
    out = []
    for i, (_, m) in enumerate(places):
        out.append(first.setdefault(id(m), i))
    return [name for name, _ in places], out


def values(net):
    return {k: floats(v) for k, v in net.state_dict().items()}


def record(title, defs):
    torch.manual_seed(0)
    net = build(defs)
    places, same = groups(net)
    copy_places, copy_same = groups(copy.deepcopy(net))
    assert copy_places == places
    order = []
    net.apply(lambda m: order.append(type(m).__name__))
    case = {
        "title": title,
        "defs": defs,
        "named_modules": [[n, type(m).__name__] for n, m in net.named_modules()],
        "named_children": [n for n, _ in net.named_children()],
        "modules": len(list(net.modules())),
        "children": len(list(net.children())),
        "named_parameters": [n for n, _ in net.named_parameters()],
        "state_dict_keys": list(net.state_dict().keys()),
        "repr": repr(net),
        "places": places,
        "same": same,
        "deep_copy_same": copy_same,
        "apply_order": order,
        "seeds": [],
    }
    for seed in SEEDS:
        torch.manual_seed(seed)
        net = build(defs)
        initial = values(net)
        visits = [0]

        def init(m):
            if type(m) == nn.Linear:
                visits[0] += 1
                nn.init.uniform_(m.weight, -0.5, 0.5)
                if m.bias is not None:
                    nn.init.constant_(m.bias, visits[0])

        net.apply(init)
        case["seeds"].append({"seed": seed, "initial": initial, "after_apply": values(net)})
    return case


def main():
    cases = [record(title, defs) for title, defs in CASES.items()]
    doc = {"torch_version": torch.__version__, "cases": cases}
    write_json("modules.json", doc)


if __name__ == "__main__":
    main()
