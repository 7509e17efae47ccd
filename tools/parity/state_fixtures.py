"""Write tests/fixtures/state.json: what PyTorch shows and answers around parameters that do
not exist yet, empty containers, a second backward pass, and loading.

Run from the repository root with a Python that has torch installed:

    python tools/parity/state_fixtures.py

Families, each replayed by `tests/state_parity.rs`:
- `lazy`: `nn.LazyLinear` alone and in a `Sequential` before its first forward (printing,
  `state_dict`, `named_parameters`, what each parameter attribute answers), first forwards that
  fail (0-d, integer and float64 inputs) and what they leave behind, and the numbers of the
  next correct forward, for seeds 0, 42 and 2**31 - 1.
- `printed`: containers that are empty or hold one thing (`OrderedDict()`, `Sequential()`,
  `[]`, zero-size parameters).
- `backward`: for each operation, whether a second `backward()` through its graph is refused,
  and the gradients after one pass, after `retain_graph=True` then a second pass, and after a
  loss built on a graph already gone through.
- `load`: `load_state_dict` with missing, unexpected, misshapen and uninitialised entries,
  strict and not, into ordinary and lazy layers.
"""

import torch
import torch.nn.functional as F
from torch import nn

from common import floats, outcome, write_json

SEEDS = [0, 42, 2**31 - 1]


def params_text(module):
    return [[n, str(p)] for n, p in module.named_parameters()]


def state_list(net):
    """[key, values] pairs in order (values None for an uninitialised parameter)."""
    return [[k, None if isinstance(v, nn.parameter.UninitializedParameter) else floats(v)]
            for k, v in net.state_dict().items()]


def attribute_answers(p):
    answers = {}
    for name, get in [
        ("numel", lambda: p.numel()),
        ("shape", lambda: list(p.shape)),
        ("data", lambda: str(p.data)),
        ("grad", lambda: str(p.grad)),
        ("str", lambda: str(p)),
    ]:
        res = outcome(get)
        if res["accepted"]:
            res["value"] = res["value"] if not isinstance(res["value"], torch.Tensor) else str(res["value"])
        answers[name] = res
    return answers


def lazy_nets():
    return {
        "lazy8": lambda: nn.LazyLinear(8),
        "lazy3_nobias": lambda: nn.LazyLinear(3, bias=False),
        "mlp": lambda: nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1)),
        "mixed": lambda: nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.Linear(4, 1)),
    }


INPUTS = {
    "0d": lambda: torch.tensor(1.0),
    "int64_2x4": lambda: torch.ones(2, 4, dtype=torch.int64),
    "float64_2x4": lambda: torch.ones(2, 4, dtype=torch.float64),
    "float32_2x20": lambda: torch.rand(2, 20),
    "float32_2x4": lambda: torch.rand(2, 4),
}


def lazy_cases():
    cases = []
    for name, make in lazy_nets().items():
        net = make()
        case = {
            "net": name,
            "print": str(net),
            "state_dict": str(net.state_dict()),
            "named_parameters": params_text(net),
            "first_param": attribute_answers(next(net.parameters())),
            "runs": [],
        }
        for first in ["0d", "int64_2x4", "float64_2x4", "float32_2x20"]:
            for seed in SEEDS:
                torch.manual_seed(seed)
                net = make()
                x = INPUTS[first]()
                run = {"first": first, "seed": seed, "first_result": outcome(lambda: list(net(x).shape))}
                run["after_first"] = str(net)
                run["next_draw"] = floats(torch.rand(3))
                torch.manual_seed(seed)
                second = outcome(lambda: floats(net(torch.ones(2, 4))))
                run["then_ones_2x4"] = second
                run["state"] = state_list(net)
                case["runs"].append(run)
        cases.append(case)
    return cases


def printed_cases():
    def empty_param():
        return nn.Parameter(torch.zeros(0, 3))

    def seeded(make):
        torch.manual_seed(0)
        return make()

    return {
        "empty_state_dict": str(nn.Sequential().state_dict()),
        "empty_sequential": str(nn.Sequential()),
        "relu_only_state_dict": str(nn.Sequential(nn.ReLU()).state_dict()),
        "empty_named_parameters": str(list(nn.Sequential().named_parameters())),
        "zero_size_parameter": str(empty_param()),
        "zero_size_linear": str(seeded(lambda: nn.Linear(0, 3))),
        "zero_size_linear_state_dict": str(seeded(lambda: nn.Linear(0, 3)).state_dict()),
        "one_entry_state_dict": str(seeded(lambda: nn.Linear(1, 1, bias=False)).state_dict()),
        "nested_empty": str(nn.Sequential(nn.Sequential())),
        "size_0d": str(torch.zeros(()).shape),
    }


# Each graph: a name the Rust side knows, and how to build the loss from the parameter p
# (shape [2, 3], values (k + 1) / 2) and the constant x (shape [3, 2], values (k + 2) / 4).
GRAPHS = {
    "sum": lambda p, x: p.sum(),
    "mean": lambda p, x: p.mean(),
    "add_scalar_sum": lambda p, x: (p + 1.5).sum(),
    "add_self_sum": lambda p, x: (p + p).sum(),
    "sub_sum": lambda p, x: (p - x.t()).sum(),
    "mul_scalar_sum": lambda p, x: (p * 2.0).sum(),
    "mul_self_sum": lambda p, x: (p * p).sum(),
    "div_sum": lambda p, x: (p / 4.0).sum(),
    "abs_sum": lambda p, x: p.abs().sum(),
    "relu_sum": lambda p, x: p.relu().sum(),
    "square_sum": lambda p, x: p.square().sum(),
    "matmul_sum": lambda p, x: (p @ x).sum(),
    "t_sum": lambda p, x: p.t().sum(),
    "reshape_sum": lambda p, x: p.reshape(6).sum(),
    "select_sum": lambda p, x: p[1].sum(),
    "slice_sum": lambda p, x: p[:1].sum(),
    "sigmoid_sum": lambda p, x: torch.sigmoid(p).sum(),
    "tanh_sum": lambda p, x: torch.tanh(p).sum(),
    "mse": lambda p, x: F.mse_loss(p, x.t()),
}


def param_and_x():
    p = nn.Parameter(((torch.arange(6, dtype=torch.float64) + 1) / 2).float().reshape(2, 3))
    x = ((torch.arange(6, dtype=torch.float64) + 2) / 4).float().reshape(3, 2)
    return p, x


def grad_of(p):
    return None if p.grad is None else floats(p.grad)


def backward_cases():
    cases = []
    for name, f in GRAPHS.items():
        case = {"graph": name}
        p, x = param_and_x()
        loss = f(p, x)
        loss.backward()
        case["after_one"] = grad_of(p)
        case["second"] = outcome(lambda: loss.backward())
        case["second"].pop("value", None)
        case["after_second"] = grad_of(p)
        p, x = param_and_x()
        loss = f(p, x)
        loss.backward(retain_graph=True)
        loss.backward()
        case["retain_then_again"] = grad_of(p)
        case["third"] = outcome(lambda: loss.backward())
        case["third"].pop("value", None)
        p, x = param_and_x()
        loss = f(p, x)
        loss.backward()
        case["built_on_used"] = outcome(lambda: (loss * 3).backward())
        case["built_on_used"].pop("value", None)
        case["after_built_on_used"] = grad_of(p)
        cases.append(case)
    # The chapter's shape: a Linear layer, its loss computed twice from one forward.
    for seed in SEEDS:
        torch.manual_seed(seed)
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        X = torch.rand(2, 4)
        loss = net(X).sum()
        loss.backward()
        second = outcome(lambda: loss.backward())
        second.pop("value", None)
        cases.append({
            "graph": "mlp", "seed": seed, "second": second,
            "grads": {n: floats(q.grad) for n, q in net.named_parameters()},
        })
    return cases


def load_cases():
    cases = []

    def record(title, make, state, strict=True):
        torch.manual_seed(0)
        net = make()
        torch.manual_seed(1)
        sd = state()
        res = outcome(lambda: str(net.load_state_dict(sd, strict=strict)))
        cases.append({
            "title": title, "strict": strict, **res,
            "print_after": str(net),
            "state_after": state_list(net),
        })

    mlp = lambda: nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    full = lambda: mlp().state_dict()

    def without(*keys):
        def state():
            sd = full()
            for k in keys:
                del sd[k]
            return sd
        return state

    def with_extra(**extra):
        def state():
            sd = full()
            for k, shape in extra.items():
                sd[k.replace("__", ".")] = torch.ones(shape)
            return sd
        return state

    def reshaped(key, shape):
        def state():
            sd = full()
            sd[key] = torch.ones(shape)
            return sd
        return state

    for strict in [True, False]:
        record("all keys", mlp, full, strict)
        record("missing 2.bias", mlp, without("2.bias"), strict)
        record("missing two", mlp, without("0.weight", "2.bias"), strict)
        record("unexpected 3.weight", mlp, with_extra(**{"3__weight": [1]}), strict)
        record("missing and unexpected", mlp,
               lambda: {**without("0.bias")(), "extra": torch.ones(2)}, strict)
        record("misshapen 0.weight", mlp, reshaped("0.weight", [3, 5]), strict)
        record("misshapen two", mlp,
               lambda: {**reshaped("0.weight", [3, 5])(), "2.bias": torch.ones(2)}, strict)
        record("misshapen and missing", mlp,
               lambda: {k: v for k, v in reshaped("0.weight", [2, 4])().items()
                        if k != "2.bias"}, strict)
        record("empty", mlp, lambda: {}, strict)
        record("into lazy", lambda: nn.LazyLinear(3),
               lambda: nn.Linear(4, 3).state_dict(), strict)
        record("into lazy, missing bias", lambda: nn.LazyLinear(3),
               lambda: {"weight": torch.ones(3, 4)}, strict)
        record("uninitialised into ordinary", lambda: nn.Linear(4, 3),
               lambda: nn.LazyLinear(3).state_dict(), strict)
    return cases


def main():
    import warnings
    warnings.simplefilter("ignore")
    doc = {
        "torch_version": torch.__version__,
        "lazy": lazy_cases(),
        "printed": printed_cases(),
        "backward": backward_cases(),
        "load": load_cases(),
    }
    write_json("state.json", doc)


if __name__ == "__main__":
    main()
