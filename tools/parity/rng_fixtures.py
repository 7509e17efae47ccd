"""Write tests/fixtures/rng.json: random draws from the real PyTorch (CPU).

Run from the repository root with a Python that has torch installed:

    python tools/parity/rng_fixtures.py

Every case seeds the default CPU generator with `torch.manual_seed(seed)` and then runs a
list of operations in order, recording what each one returned. `tests/rng_parity.rs`
replays the same operations on `d2l::rng::Generator::new(seed)` and compares.

Floats are written as Python floats (float32 values widen to float64 exactly); `json`
writes them with `repr`, the shortest text that reads back to the same float64.
"""

import json
import math
import sys

import torch

from common import floats, write_text

SEEDS = [0, 1, 42, 2**40 + 7]
SIZES = [1, 15, 16, 17, 40, 1000]


def run(op):
    """Runs one operation on the default generator and returns its values."""
    kind = op["op"]
    if kind == "manual_seed":
        torch.manual_seed(op["seed"])
        return None
    if kind in ("uniform_f32", "uniform_f64"):
        dtype = torch.float32 if kind == "uniform_f32" else torch.float64
        t = torch.empty(op["n"], dtype=dtype).uniform_(op["from"], op["to"])
        return floats(t)
    if kind in ("normal_f32", "normal_f64"):
        dtype = torch.float32 if kind == "normal_f32" else torch.float64
        t = torch.empty(op["n"], dtype=dtype).normal_(op["mean"], op["std"])
        return floats(t)
    if kind == "randperm":
        return [int(x) for x in torch.randperm(op["n"]).tolist()]
    if kind == "trunc_normal_f32":
        t = torch.empty(op["n"])
        torch.nn.init.trunc_normal_(t, op["mean"], op["std"], op["a"], op["b"])
        return floats(t)
    if kind == "trunc_normal_erfinv_f32":
        # The inverse-CDF algorithm that torch.nn.init.trunc_normal_ used before it
        # switched to rejection sampling, spelled out with the same tensor operations.
        mean, std, a, b = op["mean"], op["std"], op["a"], op["b"]

        def norm_cdf(x):
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

        lo = norm_cdf((a - mean) / std)
        up = norm_cdf((b - mean) / std)
        t = torch.empty(op["n"])
        t.uniform_(2 * lo - 1, 2 * up - 1)
        t.erfinv_()
        t.mul_(std * math.sqrt(2.0))
        t.add_(mean)
        t.clamp_(min=a, max=b)
        return floats(t)
    raise ValueError(f"unknown op {kind}")


def case(name, seed, ops):
    torch.manual_seed(seed)
    out = []
    for op in ops:
        values = run(op)
        rec = dict(op)
        if values is not None:
            rec["values"] = values
        out.append(rec)
    return {"name": name, "seed": seed, "ops": out}


def uniform(n, lo=0.0, hi=1.0, dtype="f32"):
    return {"op": f"uniform_{dtype}", "n": n, "from": lo, "to": hi}


def normal(n, mean=0.0, std=1.0, dtype="f32"):
    return {"op": f"normal_{dtype}", "n": n, "mean": mean, "std": std}


def trunc(n, mean=0.0, std=1.0, a=-2.0, b=2.0, kind="trunc_normal_f32"):
    return {"op": kind, "n": n, "mean": mean, "std": std, "a": a, "b": b}


def cases():
    out = []
    for seed in SEEDS:
        for n in SIZES:
            out.append(case(f"rand({n})", seed, [uniform(n)]))
            out.append(case(f"randn({n})", seed, [normal(n)]))
        for n in [7, 40]:
            out.append(case(f"uniform_(-3, 5) n={n}", seed, [uniform(n, -3.0, 5.0)]))
            # A bound like kaiming/xavier computes: not a power of two apart.
            b = 1.0 / math.sqrt(20.0)
            out.append(case(f"uniform_(-1/sqrt(20), 1/sqrt(20)) n={n}", seed, [uniform(n, -b, b)]))
            out.append(case(f"uniform_(0.1, 0.7) n={n}", seed, [uniform(n, 0.1, 0.7)]))
        for n in [5, 40]:
            out.append(case(f"normal_(2, 0.5) n={n}", seed, [normal(n, 2.0, 0.5)]))
            out.append(case(f"normal_(0, 0.01) n={n}", seed, [normal(n, 0.0, 0.01)]))
        for n in [1, 15, 16, 17, 40]:
            out.append(case(f"rand({n}, float64)", seed, [uniform(n, dtype="f64")]))
            out.append(case(f"randn({n}, float64)", seed, [normal(n, dtype="f64")]))
        out.append(case("uniform_(-3, 5) float64", seed, [uniform(20, -3.0, 5.0, "f64")]))
        out.append(case("normal_(2, 0.5) float64 n=40", seed, [normal(40, 2.0, 0.5, "f64")]))
        for n in [0, 1, 2, 10, 100]:
            out.append(case(f"randperm({n})", seed, [{"op": "randperm", "n": n}]))
        for n in [10, 50]:
            out.append(case(f"trunc_normal_ n={n}", seed, [trunc(n)]))
            out.append(case(f"trunc_normal_(1, 0.5, 0, 1.5) n={n}", seed, [trunc(n, 1.0, 0.5, 0.0, 1.5)]))
            # p <= 0.3: the uniform-proposal branch.
            out.append(case(f"trunc_normal_(0, 1, 1.5, 3) n={n}", seed, [trunc(n, 0.0, 1.0, 1.5, 3.0)]))
            out.append(case(f"trunc_normal_(0, 0.02) n={n}", seed, [trunc(n, 0.0, 0.02)]))
            kind = "trunc_normal_erfinv_f32"
            out.append(case(f"erfinv trunc_normal_ n={n}", seed, [trunc(n, kind=kind)]))
            out.append(
                case(f"erfinv trunc_normal_(1, 0.5, 0, 1.5) n={n}", seed, [trunc(n, 1.0, 0.5, 0.0, 1.5, kind)])
            )
        # State carries over from one call to the next.
        out.append(case("rand(3), randn(20), rand(5)", seed, [uniform(3), normal(20), uniform(5)]))
        # The small-tensor normal path makes two samples and keeps the second for later.
        out.append(case("randn(3), randn(3), rand(2)", seed, [normal(3), normal(3), uniform(2)]))
        out.append(case("randn(1), randn(20), randn(1)", seed, [normal(1), normal(20), normal(1)]))
        out.append(case("randn(1), randn(1, float64)", seed, [normal(1), normal(1, dtype="f64")]))
        out.append(
            case(
                "randn(1), manual_seed, randn(1)",
                seed,
                [normal(1), {"op": "manual_seed", "seed": seed}, normal(1)],
            )
        )
        out.append(
            case(
                "mixed sequence",
                seed,
                [
                    uniform(4, dtype="f64"),
                    {"op": "randperm", "n": 12},
                    normal(33, 0.5, 2.0),
                    normal(5, -1.0, 3.0, "f64"),
                    trunc(18),
                    uniform(17, -0.5, 0.5),
                ],
            )
        )
    return out


def erf_table():
    """math.erf (the C library's erf) on a grid, for the float64 erf used by trunc_normal_."""
    xs = [i / 64.0 for i in range(-448, 449)] + [1e-300, 0.3, 2.49999, 2.5, 5.99, 6.0, 10.0]
    return [[x, math.erf(x)] for x in xs]


def erfinv_table():
    """torch.erfinv on float32 inputs across (-1, 1), including values close to +-1."""
    ys = [i / 256.0 for i in range(-255, 256)] + [0.7, 0.70001, 0.99, 0.9999, 0.999999, -0.9999999]
    t = torch.tensor(ys, dtype=torch.float32)
    return [[float(y), float(v)] for y, v in zip(t.tolist(), torch.erfinv(t).tolist())]


def main():
    data = {
        "torch_version": torch.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cases": cases(),
        "erf": erf_table(),
        "erfinv_f32": erfinv_table(),
    }
    if data["cpu_capability"] not in ("AVX2", "AVX512"):
        print(
            "warning: PyTorch's float32 normals differ in their last bits on this CPU "
            f"({data['cpu_capability']}); d2l reproduces the x86-64 AVX2 ones",
            file=sys.stderr,
        )
    # One line without spaces: the most compact layout.
    write_text("rng.json", json.dumps(data, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
