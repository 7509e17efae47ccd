"""Write tests/fixtures/errors.json: PyTorch's exception class and text for a mistake, case by
case.

Run from the repository root with a Python that has torch installed:

    python tools/parity/error_fixtures.py

Today's family: `nn.Linear(4, 3)` (with and without a bias) applied to inputs of the wrong
width, rank or size, including 0-d, 1-d, batched 3-d and 4-d and zero-size inputs, each after
`torch.manual_seed(0)`. A case that PyTorch accepts is recorded as accepted with the output
shape. `tests/error_parity.rs` replays every case with `d2l` and compares the text exactly.
"""

import torch
from torch import nn

from common import outcome_as, write_json

SHAPES = [
    [2, 5], [5], [2, 3, 5], [1, 1, 2, 5], [0, 5], [2, 0], [3], [7, 1], [2, 3, 0],
    [], [2, 4], [4], [0, 4], [2, 3, 4],
]


def linear_cases():
    cases = []
    for bias in [True, False]:
        for shape in SHAPES:
            torch.manual_seed(0)
            layer = nn.Linear(4, 3, bias=bias)
            x = torch.rand(tuple(shape))
            case = {"in_features": 4, "out_features": 3, "bias": bias, "input_shape": shape}
            case.update(outcome_as(lambda: list(layer(x).shape), "output_shape"))
            cases.append(case)
    return cases


def main():
    doc = {"torch_version": torch.__version__, "linear_forward": linear_cases()}
    write_json("errors.json", doc)


if __name__ == "__main__":
    main()
