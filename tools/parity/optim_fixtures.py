"""Write tests/fixtures/optim.json: which learning rates `torch.optim.SGD` accepts, and the
exact text of its error for the others.

Run from the repository root with a Python that has torch installed:

    python tools/parity/optim_fixtures.py

Each case is a learning rate (written as Python's `repr`, so that `nan`, `inf`, `-0.0` and
`1e-05` survive JSON) with PyTorch's answer: accepted (with `print(optimizer)`'s text), or the
exception's class and message.
Then, for accepted finite rates and seeds 0, 42 and 2**31 - 1, one step on `nn.Linear(4, 3)`
after `torch.manual_seed(seed)` with the loss `net(torch.rand(2, 4)).sum()`: the parameters
after the step. Also the answer for an empty parameter list. `tests/optim_parity.rs` replays
every case with `d2l::optim::SGD`.
"""

import math

import torch
from torch import nn

from common import floats, outcome_as, write_json

SEEDS = [0, 42, 2**31 - 1]
LRS = [
    -0.1, -1.0, -1e-05, -2.5, -float("inf"), -1e16, -123456.75, -0.0001, -3e-300,
    -1.5e-07, -0.3, -100.0, -1e15, -2**-20,
    float("nan"), 0.0, -0.0, 0.1, 0.5, 1e-05, 3.0, float("inf"),
]


def printed_sgd(lr):
    """`print(optimizer)`'s text for an SGD with this rate over one parameter."""
    return repr(torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr))


def main():
    cases = []
    for lr in LRS:
        case = {"lr": repr(lr), **outcome_as(lambda: printed_sgd(lr), "repr")}
        if case["accepted"] and math.isfinite(lr):
            case["steps"] = []
            for seed in SEEDS:
                torch.manual_seed(seed)
                net = nn.Linear(4, 3)
                x = torch.rand(2, 4)
                opt = torch.optim.SGD(net.parameters(), lr=lr)
                net(x).sum().backward()
                opt.step()
                case["steps"].append(
                    {"seed": seed, "weight": floats(net.weight), "bias": floats(net.bias)}
                )
        cases.append(case)
    empty = outcome_as(lambda: torch.optim.SGD([], lr=0.1), None)
    doc = {"torch_version": torch.__version__, "cases": cases, "empty_params": empty}
    write_json("optim.json", doc)


if __name__ == "__main__":
    main()
