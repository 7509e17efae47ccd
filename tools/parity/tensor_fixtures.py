"""Write tests/fixtures/tensor_ops.json: what PyTorch answers for the tensor operations the
crate offers (`+ - * /`, `matmul`, `reshape`, `t`, `item`, indexing, `sum`, `mean`,
`F.mse_loss`), on well-formed and ill-formed inputs.

Run from the repository root with a Python that has torch installed:

    python tools/parity/tensor_fixtures.py

Inputs are made from their shape and dtype alone, so the Rust side can rebuild them: element k
(row-major) of the left operand is `(k + 1) / 2` (float) or `k + 1` (int64), of the right one
`(k + 2) / 4` or `k + 2`. Each case records either `repr(result)` (values, dtype and printed
form at once) and the `grad_fn` PyTorch gives when the left operand requires grad, or the
exception's class and text. `tests/tensor_parity.rs` replays every case.
"""

import torch
import torch.nn.functional as F

from common import outcome, write_json

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}


def operand(shape, dtype, right=False):
    n = 1
    for d in shape:
        n *= d
    k = torch.arange(n, dtype=torch.float64) + (2 if right else 1)
    if DTYPES[dtype].is_floating_point:
        k = k / (4 if right else 2)
    return k.to(DTYPES[dtype]).reshape(shape)


def grad_fn_of(make):
    """The grad_fn name of `make(lhs)` when lhs requires grad (None if it cannot)."""
    try:
        out = make()
    except Exception:
        return None
    return None if out.grad_fn is None else type(out.grad_fn).__name__


def record(cases, op, args, compute, with_grad=None):
    case = {"op": op, **args}
    res = outcome(compute)
    if res["accepted"]:
        value = res.pop("value")
        res["repr"] = repr(value) if isinstance(value, torch.Tensor) else repr(value)
        if with_grad is not None:
            res["grad_fn"] = grad_fn_of(with_grad)
    case.update(res)
    cases.append(case)


BINARY_SHAPES = [
    ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 3], [4]), ([2, 3], [2, 1]), ([2, 3], [3, 2]),
    ([3], [4]), ([2, 1, 3], [4, 3]), ([2, 1, 3], [4, 2]), ([0, 3], [3]), ([], [2]),
    ([2, 3], []), ([1], [3]), ([4, 1], [1, 5]), ([2, 3, 4], [3, 1]), ([5], [2, 5]),
]
OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


def binary_cases():
    cases = []
    for name, f in OPS.items():
        for sa, sb in BINARY_SHAPES:
            a, b = operand(sa, "float32"), operand(sb, "float32", right=True)
            record(cases, name, {"lhs": sa, "rhs": sb, "lhs_dtype": "float32",
                                 "rhs_dtype": "float32"},
                   lambda: f(a, b),
                   lambda: f(a.clone().requires_grad_(), b))
        for da in DTYPES:
            for db in DTYPES:
                a, b = operand([2, 2], da), operand([2, 2], db, right=True)
                record(cases, name, {"lhs": [2, 2], "rhs": [2, 2], "lhs_dtype": da,
                                     "rhs_dtype": db}, lambda: f(a, b))
            for scalar in [2, 1.5, -3, 0.25]:
                a = operand([3], da)
                record(cases, name, {"lhs": [3], "lhs_dtype": da, "scalar": scalar},
                       lambda: f(a, scalar))
    return cases


MATMUL_SHAPES = [
    ([2, 3], [3, 4]), ([2, 3], [4, 5]), ([3], [3]), ([3], [4]), ([2, 3], [3]), ([2, 3], [4]),
    ([3], [3, 4]), ([3], [4, 5]), ([2, 2, 3], [3, 4]), ([2, 2, 3], [2, 3, 4]),
    ([2, 2, 3], [2, 4, 5]), ([2, 2, 3], [3, 3, 4]), ([], [3]), ([3], []), ([2, 3], []),
    ([1, 2, 3], [3]), ([3], [2, 3, 4]), ([0, 3], [3, 2]), ([2, 0], [0, 3]),
    ([2, 2, 3], [4, 5]), ([1, 2, 3], [4]), ([3], [2, 4, 5]), ([2, 1, 2, 3], [3, 3, 4]),
    ([1, 2, 3], [2, 3, 4]), ([2, 3], [2, 3, 4]),
]


def matmul_cases():
    cases = []
    for sa, sb in MATMUL_SHAPES:
        a, b = operand(sa, "float32"), operand(sb, "float32", right=True)
        record(cases, "matmul", {"lhs": sa, "rhs": sb, "lhs_dtype": "float32",
                                 "rhs_dtype": "float32"},
               lambda: a @ b, lambda: a.clone().requires_grad_() @ b)
    for da in DTYPES:
        for db in DTYPES:
            a, b = operand([2, 3], da), operand([3, 2], db, right=True)
            record(cases, "matmul", {"lhs": [2, 3], "rhs": [3, 2], "lhs_dtype": da,
                                     "rhs_dtype": db}, lambda: a @ b)
    return cases


def shape_cases():
    cases = []
    for src, dst in [([12], [5, 2]), ([12], [3, 4]), ([3, 4], [12]), ([3, 4], [2, 2, 3]),
                     ([1], []), ([], [1]), ([0], [0, 3]), ([2, 3], [7]), ([2, 3], [0]),
                     ([3], [])]:
        a = operand(src, "float32")
        record(cases, "reshape", {"lhs": src, "shape": dst, "lhs_dtype": "float32"},
               lambda: a.reshape(dst), lambda: a.clone().requires_grad_().reshape(dst))
    for src in [[2, 3], [3], [], [2, 3, 4], [1, 1]]:
        a = operand(src, "float32")
        record(cases, "t", {"lhs": src, "lhs_dtype": "float32"}, lambda: a.t(),
               lambda: a.clone().requires_grad_().t())
    for src in [[2], [], [1, 1], [0], [3, 1]]:
        a = operand(src, "float32")
        record(cases, "item", {"lhs": src, "lhs_dtype": "float32"}, lambda: a.item())
    for src in [[2, 3], [0], [], [4]]:
        a = operand(src, "float32")
        record(cases, "sum", {"lhs": src, "lhs_dtype": "float32"}, lambda: a.sum(),
               lambda: a.clone().requires_grad_().sum())
        record(cases, "mean", {"lhs": src, "lhs_dtype": "float32"}, lambda: a.mean(),
               lambda: a.clone().requires_grad_().mean())
    a = operand([3], "int64")
    record(cases, "sum", {"lhs": [3], "lhs_dtype": "int64"}, lambda: a.sum())
    record(cases, "mean", {"lhs": [3], "lhs_dtype": "int64"}, lambda: a.mean())
    for src, index in [([3], 1), ([3], 3), ([3], 5), ([2, 3], 1), ([2, 3], 2), ([], 0)]:
        a = operand(src, "float32")
        record(cases, "select", {"lhs": src, "index": index, "lhs_dtype": "float32"},
               lambda: a[index], lambda: a.clone().requires_grad_()[index])
    for src, stop in [([3], 2), ([3], 3), ([3], 5), ([2, 3], 1), ([2, 3], 7), ([0], 1)]:
        a = operand(src, "float32")
        record(cases, "slice", {"lhs": src, "stop": stop, "lhs_dtype": "float32"},
               lambda: a[:stop], lambda: a.clone().requires_grad_()[:stop])
    for n, dst in [(4, [2, 2]), (3, [2, 2]), (6, [2, 3]), (5, [5]), (0, [0]), (1, [])]:
        data = [(k + 1) / 2 for k in range(n)]
        record(cases, "from_vec", {"len": n, "shape": dst},
               lambda: torch.tensor(data).reshape(dst))
    for sa, sb in [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 3], [4]), ([3], [2, 3]), ([], [])]:
        a, b = operand(sa, "float32"), operand(sb, "float32", right=True)
        record(cases, "mse_loss", {"lhs": sa, "rhs": sb, "lhs_dtype": "float32"},
               lambda: F.mse_loss(a, b), lambda: F.mse_loss(a.clone().requires_grad_(), b))
    return cases


def main():
    import warnings
    warnings.simplefilter("ignore")
    doc = {
        "torch_version": torch.__version__,
        "binary": binary_cases(),
        "matmul": matmul_cases(),
        "shape": shape_cases(),
    }
    write_json("tensor_ops.json", doc)


if __name__ == "__main__":
    main()
