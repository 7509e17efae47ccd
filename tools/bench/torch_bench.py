"""The PyTorch side of the crate benchmarks (benches/*.rs), on the CPU of this machine.

Measures the same operations as the criterion benches, with the same shapes:
- nn.init.{normal_, uniform_, xavier_uniform_, kaiming_uniform_, orthogonal_} and a plain
  fill_ on 1024x1024 and 4096x4096 float32 tensors (elements per second);
- named_parameters / parameters / state_dict / apply / named_modules on a Sequential of N
  Sequential(Linear(4, 4), ReLU()) blocks, N = 100, 1000, 10000;
- one SGD training step of exercise 3's tied MLP (batch 1) and of an MLP 784-256-256-10 with
  batch 256;
- the resident memory of 1000 tied / untied exercise-3 MLPs and 100 exercise-4 deep MLPs;
each with torch.set_num_threads(1) and (2) where threads can matter.

Every figure is a list of per-iteration times from repeated samples (min/median/max are taken
by the report). Writes JSON to the path given as the only argument.

usage: python tools/bench/torch_bench.py OUT.json [--quick]
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time

import torch
from torch import nn

QUICK = "--quick" in sys.argv


def samples(fn, *, min_sample_s: float = 0.05, n_samples: int = 15, warmup_s: float = 0.3):
    """Per-iteration seconds of `fn` for `n_samples` samples of enough iterations each."""
    if QUICK:
        min_sample_s, n_samples, warmup_s = 0.02, 5, 0.05
    start = time.perf_counter()
    iters = 0
    while time.perf_counter() - start < warmup_s or iters == 0:
        fn()
        iters += 1
    per_iter = (time.perf_counter() - start) / iters
    k = max(1, int(min_sample_s / max(per_iter, 1e-9)))
    out = []
    for _ in range(n_samples):
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        out.append((time.perf_counter() - t0) / k)
    return out


def bench_init(threads: int) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    res = {}
    for n in (1024, 4096):
        t = torch.empty(n, n)
        cases = {
            "plain fill_": lambda: t.fill_(0.5),
            "constant_": lambda: nn.init.constant_(t, 0.5),
            "uniform_": lambda: nn.init.uniform_(t, -0.1, 0.1),
            "normal_": lambda: nn.init.normal_(t, 0.0, 0.01),
            "xavier_uniform_": lambda: nn.init.xavier_uniform_(t),
            "kaiming_uniform_": lambda: nn.init.kaiming_uniform_(t),
        }
        for name, fn in cases.items():
            res[f"{n}x{n}/{name}"] = samples(fn, n_samples=10 if n >= 4096 else 15)
        # orthogonal_ is a QR factorisation (LAPACK): seconds at 4096.
        reps = 3
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            nn.init.orthogonal_(t)
            times.append(time.perf_counter() - t0)
        res[f"{n}x{n}/orthogonal_"] = times
        del t
    return res


def nested(blocks: int) -> nn.Sequential:
    return nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.ReLU()) for _ in range(blocks)])


def bench_tree() -> dict:
    torch.set_num_threads(1)
    res = {}
    for n in (100, 1000, 10000):
        res[f"build/{n}"] = samples(lambda: nested(n), n_samples=5, min_sample_s=0.0)
        net = nested(n)

        def apply_count():
            count = [0]

            def f(m):
                if type(m) is nn.Linear:
                    count[0] += 1

            net.apply(f)
            return count[0]

        res[f"named_parameters/{n}"] = samples(lambda: list(net.named_parameters()))
        res[f"parameters/{n}"] = samples(lambda: list(net.parameters()))
        res[f"state_dict/{n}"] = samples(lambda: net.state_dict())
        res[f"apply/{n}"] = samples(apply_count)
        res[f"named_modules/{n}"] = samples(lambda: len(list(net.named_modules())))
    return res


def tied_mlp() -> nn.Sequential:
    shared = nn.Linear(4, 4)
    return nn.Sequential(
        nn.Linear(3, 4), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(4, 3)
    )


def classroom_mlp() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )


def bench_train(threads: int) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    res = {}
    for name, net, x, y in (
        ("tied MLP, batch 1", tied_mlp(), torch.randn(1, 3), torch.randn(1, 3)),
        (
            "MLP 784-256-256-10, batch 256",
            classroom_mlp(),
            torch.randn(256, 784),
            torch.randn(256, 10),
        ),
    ):
        opt = torch.optim.SGD(net.parameters(), lr=0.01)

        def step():
            loss = nn.functional.mse_loss(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        res[name] = samples(step, n_samples=30)
    return res


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def small_mlp(tied: bool) -> nn.Sequential:
    hidden = nn.Linear(4, 4)
    second = hidden if tied else nn.Linear(4, 4)
    return nn.Sequential(
        nn.Linear(3, 4), nn.ReLU(), hidden, nn.ReLU(), second, nn.ReLU(), nn.Linear(4, 3)
    )


def deep_mlp(tied: bool) -> nn.Sequential:
    layer = nn.Linear(256, 256)
    mods = [nn.Linear(784, 256), nn.ReLU()]
    for _ in range(8):
        mods += [layer if tied else nn.Linear(256, 256), nn.ReLU()]
    return nn.Sequential(*mods, nn.Linear(256, 10))


MEMORY_CASES = {
    "small": ("exercise 3 MLP (3-4-4-4-3)", small_mlp, 1000),
    "deep": ("exercise 4 deep MLP (784-256x9-10)", deep_mlp, 100),
}


def memory_case(kind: str, tied: bool) -> dict:
    """One case, run in a fresh process (memory an earlier case freed could hide this one)."""
    name, make, copies = MEMORY_CASES[kind]
    one = make(tied)
    storages = {p.untyped_storage().data_ptr(): p.untyped_storage().nbytes()
                for p in one.parameters()}
    gc.collect()
    before = rss()
    nets = [make(tied) for _ in range(copies)]
    after = rss()
    del nets
    return {
        "net": name,
        "tied": tied,
        "parameters_numel": sum(p.numel() for p in one.parameters()),
        "unique_storage_bytes": sum(storages.values()),
        "state_dict_entries": len(one.state_dict()),
        "copies": copies,
        "rss_delta_bytes": after - before,
        "rss_bytes_per_net": (after - before) / copies,
    }


def bench_memory() -> list:
    out = []
    for kind in MEMORY_CASES:
        for tied in (False, True):
            code = (
                "import json, sys; sys.path.insert(0, sys.argv[1]); import torch_bench as b; "
                "print(json.dumps(b.memory_case(sys.argv[2], sys.argv[3] == 'tied')))"
            )
            proc = subprocess.run(
                [sys.executable, "-c", code, os.path.dirname(os.path.abspath(__file__)),
                 kind, "tied" if tied else "untied"],
                check=True, capture_output=True, text=True,
            )
            out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    out_path = sys.argv[1]
    result = {
        "torch": torch.__version__,
        "num_threads_default": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "init": {str(t): bench_init(t) for t in (1, 2)},
        "tree": bench_tree(),
        "train": {str(t): bench_train(t) for t in (1, 2)},
        "memory": bench_memory(),
    }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
