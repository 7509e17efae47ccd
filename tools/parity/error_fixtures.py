"""Write tests/fixtures/errors.json: PyTorch's exception class and text for a mistake, case by
case.

Run from the repository root with a Python that has torch installed:

    python tools/parity/error_fixtures.py

Families: `nn.init`'s functions on parameters of the wrong rank, with impossible arguments
or unknown names (`init`); `nn.Linear(4, 3)` (with and without a bias) applied to inputs of the wrong
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


def number(x):
    """A float as JSON can hold it: nan and the infinities as strings."""
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return x


# (function, shape, keyword arguments): the mistakes the init functions refuse, and a few
# calls next to them that PyTorch accepts.
INF, NAN = float("inf"), float("nan")
INIT_CASES = [
    ("eye_", [2, 3, 4], {}), ("eye_", [3], {}), ("eye_", [], {}), ("eye_", [2, 3], {}),
    ("sparse_", [6], {"sparsity": 0.5, "std": 0.01}),
    ("sparse_", [3, 3, 3], {"sparsity": 0.1, "std": 0.01}),
    ("sparse_", [4, 3], {"sparsity": NAN, "std": 0.01}),
    ("sparse_", [4, 3], {"sparsity": INF, "std": 0.01}),
    ("sparse_", [4, 3], {"sparsity": 0.5, "std": -1.0}),
    ("dirac_", [3, 3], {"groups": 1}), ("dirac_", [2, 2, 1, 1, 1, 1], {"groups": 1}),
    ("dirac_", [4], {"groups": 1}), ("dirac_", [4, 3, 3], {"groups": 3}),
    ("dirac_", [6, 2, 3, 3], {"groups": 4}), ("dirac_", [4, 3, 3], {"groups": 0}),
    ("dirac_", [4, 3, 3], {"groups": 2}),
    ("orthogonal_", [5], {"gain": 1.0}), ("orthogonal_", [], {"gain": 1.0}),
    ("uniform_", [3, 4], {"a": 5.0, "b": 3.0}), ("uniform_", [3, 4], {"a": 1e-7, "b": 1e-8}),
    ("uniform_", [3, 4], {"a": 123456789.0, "b": 2.0}),
    ("uniform_", [3, 4], {"a": -1.0, "b": INF}), ("uniform_", [3, 4], {"a": NAN, "b": 1.0}),
    ("uniform_", [3, 4], {"a": -3e38, "b": 3e38}), ("uniform_", [0, 3], {"a": 5.0, "b": 3.0}),
    ("normal_", [3, 4], {"mean": 0.0, "std": -1.0}),
    ("normal_", [3, 4], {"mean": 0.0, "std": NAN}),
    ("normal_", [0], {"mean": 0.0, "std": -1.0}),
    ("trunc_normal_", [3, 4], {"mean": 0.0, "std": 0.0, "a": -2.0, "b": 2.0}),
    ("trunc_normal_", [3, 4], {"mean": 0.0, "std": 1.0, "a": 2.0, "b": -2.0}),
    ("constant_", [2], {"val": 1e40}), ("constant_", [2], {"val": INF}),
]
for shape in [[5], [], [0, 0]]:
    for f in ["xavier_uniform_", "xavier_normal_"]:
        INIT_CASES += [(f, shape, {}), (f, shape, {"gain": 2.0})]
    for f in ["kaiming_uniform_", "kaiming_normal_"]:
        INIT_CASES += [(f, shape, {}), (f, shape, {"mode": "fan_out", "nonlinearity": "relu"})]
    INIT_CASES.append(("_calculate_fan_in_and_fan_out", shape, {}))
INIT_CASES += [
    ("xavier_uniform_", [3, 4], {"gain": -1.0}), ("xavier_normal_", [3, 4], {"gain": -1.0}),
    ("kaiming_uniform_", [5], {"nonlinearity": "swish"}),
]
for name in ["swish", "gelu", "ReLU", "Linear", ""]:
    INIT_CASES += [("calculate_gain", [], {"nonlinearity": name}),
                   ("kaiming_uniform_", [3, 4], {"nonlinearity": name}),
                   ("kaiming_normal_", [3, 4], {"nonlinearity": name})]
for mode in ["fan_avg", "Fan_Avg", "", "FAN_OUT", " fan_in"]:
    INIT_CASES.append(("kaiming_uniform_", [3, 4], {"mode": mode}))


def init_cases():
    cases = []
    for name, shape, kwargs in INIT_CASES:
        n = 1
        for d in shape:
            n *= d
        p = (torch.arange(n, dtype=torch.float32) + 0.5).reshape(shape)
        f = getattr(nn.init, name)
        if name == "calculate_gain":
            call = lambda: f(**kwargs)  # noqa: E731
        else:
            call = lambda: f(p, **kwargs)  # noqa: E731
        torch.manual_seed(0)
        case = {"op": name, "shape": shape, "args": {k: number(v) if isinstance(v, float) else v
                                                      for k, v in kwargs.items()}}
        case.update(outcome_as(call, None))
        cases.append(case)
    return cases


def module_cases():
    """Mistakes with a Sequential's names: add_module, attributes, indexing. Python shows an
    uncaught one as `<class>: <message>`, which is what d2l's panicking `net[9]` says."""
    def net():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))

    calls = {
        "add_module('')": lambda: net().add_module("", nn.ReLU()),
        "add_module('a.b')": lambda: net().add_module("a.b", nn.ReLU()),
        "add_module('x')": lambda: net().add_module("x", nn.ReLU()),
        "net[9]": lambda: net()[9],
        "net[3]": lambda: net()[3],
        "net[-4]": lambda: net()[-4],
        "net[-1]": lambda: type(net()[-1]).__name__,
        "net.foo": lambda: net().foo,
        "net[1].weight": lambda: net()[1].weight,
        "net[0].foo": lambda: net()[0].foo,
        "state_dict()['9.weight']": lambda: net().state_dict()["9.weight"],
    }
    cases = []
    for name, f in calls.items():
        case = {"call": name, **outcome_as(f, None)}
        try:
            f()
        except KeyError as e:
            # str() of a KeyError is the repr of its text; the text itself is what d2l returns.
            case["text"] = e.args[0]
        except Exception:  # recorded above
            pass
        cases.append(case)
    return cases


def main():
    import warnings
    warnings.simplefilter("ignore")
    doc = {"torch_version": torch.__version__, "linear_forward": linear_cases(),
           "init": init_cases(), "modules": module_cases()}
    write_json("errors.json", doc)


if __name__ == "__main__":
    main()
