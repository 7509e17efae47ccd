"""Writes BENCHMARKS.md from what tools/bench/run measured (build/bench/*).

usage: python tools/bench/report.py --collect-criterion target/criterion OUT.json
       python tools/bench/report.py --out BENCHMARKS.md --dir build/bench [--quick]

Every figure is min / median / max over repeated runs; a goal is reported next to the measured
value as met or not met (never as a pass/fail test).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kernel_memory  # noqa: E402
import report_classroom  # noqa: E402
import report_student  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent


# ------------------------------------------------------------------------------ helpers


def collect_criterion(crit_dir: Path, out: Path) -> None:
    """Per-iteration times (seconds) of every criterion benchmark, by its full id."""
    result = {}
    for bench_json in crit_dir.rglob("new/benchmark.json"):
        meta = json.loads(bench_json.read_text())
        sample = json.loads((bench_json.parent / "sample.json").read_text())
        per_iter = [t / i / 1e9 for t, i in zip(sample["times"], sample["iters"])]
        result[meta["full_id"]] = {"times_s": per_iter, "throughput": meta.get("throughput")}
    out.write_text(json.dumps(result, indent=1))


def mmm(values) -> tuple[float, float, float]:
    v = sorted(x for x in values if x == x)
    if not v:
        return (float("nan"),) * 3
    return v[0], statistics.median(v), v[-1]


def p90(values) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    k = 0.9 * (len(v) - 1)
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def fmt_s(x: float) -> str:
    if x != x:
        return "–"
    if x >= 100:
        return f"{x:.0f} s"
    if x >= 1:
        return f"{x:.2f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.3g} ms"
    return f"{x * 1e6:.3g} µs"


def fmt_mmm_s(values) -> str:
    lo, med, hi = mmm(values)
    return f"**{fmt_s(med)}** ({fmt_s(lo)} – {fmt_s(hi)})"


def rate(n: int, secs: float) -> str:
    r = n / secs if secs else float("nan")
    if r != r:
        return "–"
    if r >= 1e9:
        return f"{r / 1e9:.3g} G"
    return f"{r / 1e6:.3g} M"


def fmt_rate_mmm(n: int, times) -> str:
    lo, med, hi = mmm(times)
    # The fastest run gives the highest rate.
    return f"**{rate(n, med)}** ({rate(n, hi)} – {rate(n, lo)})"


def met(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def sh(*cmd) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


# ------------------------------------------------------------------------------ sections


def machine(d: Path, torch: dict, quick: bool) -> list[str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    lock = (ROOT / "Cargo.lock").read_text()
    m = re.search(r'name = "candle-core"\nversion = "([^"]+)"', lock)
    candle = m.group(1) if m else "?"
    evcxr = sh("bash", "-c", "cargo install --list | grep -o 'evcxr_jupyter v[0-9.]*'")
    toml = ROOT / "tools" / "kernel" / "evcxr" / "evcxr.toml"
    opt = "2 (evcxr's default)"
    if toml.exists():
        m = re.search(r'^\s*opt_level\s*=\s*"?(\d)"?', toml.read_text(), re.M)
        if m:
            opt = f"{m.group(1)} (tools/kernel/evcxr/evcxr.toml)"
    cargo_config = ROOT / "tools" / "kernel" / "evcxr" / "cargo-config.toml"
    if cargo_config.exists():
        m = re.search(r'^\s*opt-level\s*=\s*"?(\d)"?', cargo_config.read_text(), re.M)
        if m:
            opt += f", its dependencies {m.group(1)} (tools/kernel/evcxr/cargo-config.toml)"
    loads = []
    if (d / "load.log").exists():
        for line in (d / "load.log").read_text().splitlines():
            f = line.split()
            if len(f) >= 2:
                loads.append(float(f[1]))
    lo, med, hi = mmm(loads)
    started = (d / "started").read_text().strip() if (d / "started").exists() else "?"
    finished = (d / "finished").read_text().strip() if (d / "finished").exists() else "?"
    lines = [
        "## The machine and the run",
        "",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem_kb / 1024 / 1024:.1f} GiB; "
        f"{platform.system()} {platform.release()}",
        f"- {sh('rustc', '-V')}; candle {candle}; PyTorch {torch.get('torch', '?')} (CPU, "
        f"{torch.get('cpu_capability', '?')} kernels); {evcxr}; opt level of the kernel's "
        f"cells: {opt}",
        f"- Run: {started} → {finished} (UTC).",
        f"- Load average (1 min) sampled every 10 s during the run: median {med:.2f}, "
        f"min {lo:.2f}, max {hi:.2f}. "
        + ("The benchmark itself keeps one or two of the cores busy; a load this high means "
           "**other work was running too**, so absolute times are inflated and the spread is "
           "wide; ratios measured side by side are more reliable."
           if med == med and (med > 1.6 or hi > 2.6) else
           "That is the benchmark's own work (it keeps one or two of the cores busy): nothing "
           "else of note was running."),
        "- Every figure is **median** (min – max) over repeated runs: criterion samples for the "
        "crate benches, timed samples for PyTorch, whole-notebook runs for the notebooks.",
    ]
    if quick:
        lines.append("- **Quick run** (`D2L_BENCH_QUICK=1`): short samples, one run per "
                     "notebook, no cold cases. Rough numbers.")
    return lines + [""]


def notebooks_section(nb: dict, goals: list) -> list[str]:
    warm = nb.get("warm")
    lines = ["## 1. The notebook experience", ""]
    if not warm:
        return lines + ["(not measured in this run)", ""]
    rust_rounds, torch_rounds = warm["rust"], warm["pytorch"]
    names = [r["notebook"] for r in rust_rounds[0]]
    lines += [
        "Each notebook runs top to bottom in a **fresh kernel**, as when a student opens it and "
        "runs all cells: Rust notebooks (`notebooks/`) in the `rust` kernel on the warm cache "
        "that `make setup` leaves; the PyTorch chapter (the seed notebooks' code cells, "
        "`tools/bench/pytorch/`, same five parts) in an ipykernel with torch. *wall* = from "
        "asking for a kernel to the last reply; *start* = until the kernel answers; cell "
        "latency = nbclient's `metadata.execution`, `iopub.status.busy` → "
        "`shell.execute_reply`.",
        "",
        "| notebook | Rust wall | Rust start | Rust cells: median / p90 | PyTorch wall | "
        "PyTorch cells: median / p90 | wall ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    all_rust_cells, all_torch_cells = [], []
    for i, name in enumerate(names):
        rw = [rd[i]["wall_s"] for rd in rust_rounds]
        rs = [rd[i]["kernel_start_s"] for rd in rust_rounds]
        rc = [c for rd in rust_rounds for c in rd[i]["cells_s"]]
        tr = [rd[i] for rd in torch_rounds if i < len(rd)]
        tw = [r["wall_s"] for r in tr]
        tc = [c for r in tr for c in r["cells_s"]]
        all_rust_cells += rc
        all_torch_cells += tc
        errs = {rd[i]["error"] for rd in rust_rounds if rd[i]["error"]}
        err = " (error: " + "; ".join(errs)[:80] + ")" if errs else ""
        ratio = statistics.median(rw) / statistics.median(tw) if tw else float("nan")
        lines.append(
            f"| {name}{err} ({rust_rounds[0][i]['n_cells']} / "
            f"{tr[0]['n_cells'] if tr else '–'} cells) | {fmt_mmm_s(rw)} | {fmt_mmm_s(rs)} | "
            f"{fmt_s(statistics.median(rc)) if rc else '–'} / {fmt_s(p90(rc))} | "
            f"{fmt_mmm_s(tw)} | {fmt_s(statistics.median(tc)) if tc else '–'} / "
            f"{fmt_s(p90(tc))} | {ratio:.1f}× |"
        )
    rust_tot = [sum(r["wall_s"] for r in rd) for rd in rust_rounds]
    torch_tot = [sum(r["wall_s"] for r in rd) for rd in torch_rounds]
    ratio = statistics.median(rust_tot) / statistics.median(torch_tot)
    med_cell = statistics.median(all_rust_cells)
    lines += [
        f"| **whole chapter** | {fmt_mmm_s(rust_tot)} | | "
        f"{fmt_s(med_cell)} / {fmt_s(p90(all_rust_cells))} | {fmt_mmm_s(torch_tot)} | "
        f"{fmt_s(statistics.median(all_torch_cells))} / {fmt_s(p90(all_torch_cells))} | "
        f"**{ratio:.1f}×** |",
        "",
        f"({len(rust_rounds)} runs of each notebook; cell statistics pool every cell of every "
        "run.) The Rust notebooks have more cells than the seed's PyTorch code (plots, checks, "
        "the exercises worked out); per cell, the Rust kernel compiles each cell into a shared "
        "library before running it, PyTorch interprets it.",
        "",
    ]
    goals.append(("Whole chapter (warm) at most 2× PyTorch", f"{ratio:.1f}× "
                  f"({fmt_s(statistics.median(rust_tot))} vs "
                  f"{fmt_s(statistics.median(torch_tot))})", ratio <= 2))
    goals.append(("Median cell (warm) at most 0.8 s", fmt_s(med_cell), med_cell <= 0.8))

    # Slowest cells.
    per_cell: dict[tuple, list] = {}
    for rd in rust_rounds:
        for r in rd:
            for k, (src, t) in enumerate(zip(r["sources"], r["cells_s"])):
                per_cell.setdefault((r["notebook"], k, src), []).append(t)
    top = sorted(per_cell.items(), key=lambda kv: -statistics.median(kv[1]))[:8]
    lines += ["Slowest Rust cells (median over runs):", "",
              "| notebook | cell | first line | time |", "|---|---|---|---|"]
    for (name, k, src), ts in top:
        first = src.strip().splitlines()[0][:60].replace("|", "\\|") if src.strip() else ""
        lines.append(f"| {name} | {k + 1} | `{first}` | {fmt_mmm_s(ts)} |")
    lines.append("")

    cold = nb.get("cold")
    lines += ["### Cold starts", ""]
    if not cold:
        lines += ["(not measured in this run)", ""]
        return lines
    es, fs, nc = cold["empty_slot"], cold["filled_slot"], cold["no_cache"]

    def first_cell(r):
        return fmt_s(r["cells_s"][0]) if r["cells_s"] else "–"

    lines += [
        "Measured once each (they take minutes), on notebook "
        f"`{es['notebook']}`, in cache folders under build/bench (the developer's cache is "
        "not touched):",
        "",
        "| case | kernel start | first cell | whole notebook |",
        "|---|---|---|---|",
        f"| `make setup`'s warm-up step into an empty cache (tools/kernel/warmup.py: builds "
        f"every dependency) | | | {fmt_s(cold['setup_warmup_s'])}"
        f"{'' if cold['setup_warmup_ok'] else ' (failed)'} |",
        f"| first kernel on a new machine: warm template, empty kernel slot (the launcher "
        f"copies the template) | {fmt_s(es['kernel_start_s'])} | {first_cell(es)} | "
        f"{fmt_s(es['wall_s'])} |",
        f"| the next kernel on that (now filled) slot | {fmt_s(fs['kernel_start_s'])} | "
        f"{first_cell(fs)} | {fmt_s(fs['wall_s'])} |",
        f"| a kernel with no cache at all (EVCXR_TMPDIR empty) | "
        f"{fmt_s(nc['kernel_start_s'])} | {first_cell(nc)} | {fmt_s(nc['wall_s'])} |",
        "",
        f"Sizes: template {cold['sizes_mb'].get('template', float('nan')):.0f} MB, one kernel "
        f"slot {cold['sizes_mb'].get('slot', float('nan')):.0f} MB. Not measured: installing "
        "evcxr_jupyter itself (`cargo install`, part of a first `make setup`) and the Python "
        "packages.",
        "",
    ]
    return lines


def probe_section(nb: dict) -> list[str]:
    probe = nb.get("probe")
    lines = ["## 2. What a cell's time is made of, and what was tried", ""]
    if not probe:
        return lines + ["(not measured in this run)", ""]
    lines += [
        "A fixed notebook, `tools/bench/probe/probe.ipynb` (10 cells: the `:dep` cell, "
        "`1 + 1`, building and running a net, printing, `apply` with a function, a small "
        "matmul, a custom module, 10 SGD steps, `1 + 1` again), run under each setting in a "
        "build folder of its own, against a frozen copy of the crate. The setting goes into "
        "the first cell. One untimed run first (it builds whatever the setting needs: its "
        "time is the *setting's one-off cost*), then timed runs. For each cell the compiles of "
        "the cell crate and the link are logged (tools/bench/timing, via "
        "`:build_env RUSTC_WORKSPACE_WRAPPER=...`), and the CPU time of the kernel process "
        "itself (evcxr's rust-analyzer type inference) is read from /proc.",
        "",
        "Cells 2–10 (the first cell loads the crate and is reported apart):",
        "",
        "| setting | one-off first run | first cell | cells 2–10: sum | median cell | "
        "compiles / cell (failed) | rustc / cell | link / cell | kernel CPU / cell | rest / "
        "cell |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    base_sum = None
    for name, v in probe.items():
        if "skipped" in v:
            lines.append(f"| `{name}` | skipped: {v['skipped']} | | | | | | | | |")
            continue
        runs = [r for r in v["runs"] if not r["error"]]
        if not runs:
            err = v["runs"][0]["error"] if v["runs"] else "no run"
            lines.append(f"| `{name}` | error: {err[:80]} | | | | | | | | |")
            continue
        sums = [sum(r["cells_s"][1:]) for r in runs]
        firsts = [r["cells_s"][0] for r in runs]
        cells = [c for r in runs for c in r["cells_s"][1:]]
        bd = [b for r in runs for b in r["breakdown"][1:]]
        n = len(bd) or 1
        comp = sum(b["compiles"] for b in bd) / n
        failed = sum(b["failed_compiles"] for b in bd) / n
        rustc = statistics.median([b["rustc_s"] for b in bd]) if bd else float("nan")
        link = statistics.median([b["link_s"] for b in bd]) if bd else float("nan")
        kc = [b.get("kernel_cpu_s", float("nan")) for b in bd]
        kcpu = mmm(kc)[1]
        rest = mmm([b["rest_s"] - (k if k == k else 0) for b, k in zip(bd, kc)])[1]
        if name == "project settings":
            base_sum = statistics.median(sums)
        delta = ""
        if base_sum and name != "project settings":
            delta = f" ({(statistics.median(sums) / base_sum - 1) * 100:+.0f}%)"
        lines.append(
            f"| `{name}` | {fmt_s(v['first_run_wall_s'])} | {fmt_mmm_s(firsts)} | "
            f"{fmt_mmm_s(sums)}{delta} | {fmt_s(statistics.median(cells))} | "
            f"{comp:.1f} ({failed:.1f}) | {fmt_s(rustc)} | {fmt_s(link)} | {fmt_s(kcpu)} | "
            f"{fmt_s(rest)} |"
        )
    lines += [
        "",
        "*rest* = cell time − rustc − link − kernel CPU: cargo's own work (fingerprints of "
        "every dependency), loading the library and running the code, and the Jupyter "
        "messages. (Percentages: the sum of cells 2–10 against the project settings.)",
        "",
    ]
    # Per-cell view of the project settings, to show where the first-use costs sit.
    v = probe.get("project settings")
    if v and v.get("runs") and not v["runs"][0]["error"]:
        r = v["runs"][0]
        lines += ["Per cell, project settings (first timed run):", "",
                  "| cell | first line | time | compiles (failed) | rustc | link | kernel "
                  "CPU |", "|---|---|---|---|---|---|---|"]
        for k, (src, b) in enumerate(zip(r["sources"], r["breakdown"])):
            first = [ln for ln in src.splitlines() if not ln.startswith(":build_env")]
            first = (first[0] if first else "")[:50].replace("|", "\\|")
            lines.append(f"| {k + 1} | `{first}` | {fmt_s(b['cell_s'])} | {b['compiles']} "
                         f"({b['failed_compiles']}) | {fmt_s(b['rustc_s'])} | "
                         f"{fmt_s(b['link_s'])} | {fmt_s(b.get('kernel_cpu_s', float('nan')))} |")
        lines.append("")
    return lines


def crit_times(crit: dict, key: str):
    return crit.get(key, {}).get("times_s", [])


def init_section(crit: dict, torch: dict, goals: list) -> list[str]:
    lines = ["## 3. Crate speed", "", "### Initialisation throughput (elements per second)", "",
             "float32 parameters, in place. d2l through `d2l::nn::init`; PyTorch's `nn.init` "
             "on CPU with `torch.set_num_threads(1)` and `(2)`. The plain fill (a slice "
             "`fill` in Rust, `tensor.fill_` in PyTorch) is the memory-bandwidth limit.", "",
             "| size | function | d2l | PyTorch, 1 thread | PyTorch, 2 threads | goal: ≥ "
             "PyTorch (1 / 2 threads) |", "|---|---|---|---|---|---|"]
    tinit = torch.get("init", {})
    for n in (1024, 4096):
        numel = n * n
        rows = [("plain fill", "plain fill of the buffer", "plain fill_"),
                ("constant_", "constant_", "constant_"),
                ("uniform_", "uniform_", "uniform_"),
                ("normal_", "normal_", "normal_"),
                ("xavier_uniform_", "xavier_uniform_", "xavier_uniform_"),
                ("kaiming_uniform_", "kaiming_uniform_", "kaiming_uniform_")]
        for label, rkey, tkey in rows:
            rt = crit_times(crit, f"init/{n}x{n}/{rkey}")
            t1 = tinit.get("1", {}).get(f"{n}x{n}/{tkey}", [])
            t2 = tinit.get("2", {}).get(f"{n}x{n}/{tkey}", [])
            goal = "–"
            if rt and t1 and t2 and label in ("uniform_", "normal_", "xavier_uniform_",
                                              "kaiming_uniform_"):
                r_med = statistics.median(rt)
                ok1 = r_med <= statistics.median(t1)
                ok2 = r_med <= statistics.median(t2)
                goal = f"{met(ok1)} / {met(ok2)}"
                goals.append((f"`{label}` {n}×{n} at least PyTorch's throughput (1 / 2 "
                              f"threads)", f"{rate(numel, r_med)} vs {rate(numel, statistics.median(t1))}"
                              f" / {rate(numel, statistics.median(t2))} elem/s", ok1 and ok2))
            lines.append(f"| {n}×{n} | {label} | {fmt_rate_mmm(numel, rt) if rt else '–'} | "
                         f"{fmt_rate_mmm(numel, t1) if t1 else '–'} | "
                         f"{fmt_rate_mmm(numel, t2) if t2 else '–'} | {goal} |")
    lines += ["", "Where the time of an init goes, and raw candle on the same buffer:", "",
              "| operation | 1024×1024 | 4096×4096 |", "|---|---|---|"]
    parts = [
        "part: draw uniform into a Vec (Generator::uniform_f32)",
        "part: draw normal into a Vec (Generator::normal_f32)",
        "part: Parameter::set_data_ of a ready tensor",
        "candle: Tensor::rand (new tensor, candle's rng)",
        "candle: Tensor::randn (new tensor, candle's rng)",
        "candle: Var::set (copy into the variable)",
        "candle: Tensor::const_set (in place)",
        "candle: in-place MT19937 uniform (InplaceOp1, no Vec, no copy)",
    ]
    for p in parts:
        cells = []
        for n in (1024, 4096):
            t = crit_times(crit, f"init/{n}x{n}/{p}")
            cells.append(f"{fmt_s(statistics.median(t))} ({rate(n * n, statistics.median(t))}"
                         "elem/s)" if t else "–")
        lines.append(f"| {p} | {cells[0]} | {cells[1]} |")
    for n in (1024, 4096):
        a = crit_times(crit, f"set_one_element/{n}x{n}/Parameter::set_at_")
        b = crit_times(crit, f"set_one_element/{n}x{n}/candle: const_set on a narrowed view")
        if a and b:
            lines.append(f"| one element, {n}×{n}: `Parameter::set_at_` / candle `const_set` on "
                         f"a narrowed view | {fmt_s(statistics.median(a))} | "
                         f"{fmt_s(statistics.median(b))} |")
    lines.append("")
    return lines


def orthogonal_section(d: Path, torch: dict, goals: list) -> list[str]:
    lines = ["### `orthogonal_`", ""]
    rows = []
    if (d / "orthogonal.jsonl").exists():
        for line in (d / "orthogonal.jsonl").read_text().splitlines():
            rows.append(json.loads(line))
    tinit = torch.get("init", {})
    lines += ["| size | d2l | PyTorch 1 thread | PyTorch 2 threads |", "|---|---|---|---|"]
    for r in rows:
        n = r["n"]
        t1 = tinit.get("1", {}).get(f"{n}x{n}/orthogonal_")
        t2 = tinit.get("2", {}).get(f"{n}x{n}/orthogonal_")
        if r["measured"]:
            d2l = fmt_mmm_s(r["times_s"])
            if t1 and t2:
                med = statistics.median(r["times_s"])
                ok = med <= statistics.median(t1) and med <= statistics.median(t2)
                goals.append((f"`orthogonal_` {n}×{n} at least PyTorch's throughput (1 / 2 "
                              "threads)", f"{fmt_s(med)} vs {fmt_s(statistics.median(t1))} / "
                              f"{fmt_s(statistics.median(t2))} per call", ok))
        else:
            d2l = (f"not run: {fmt_s(r['predicted_s'])} predicted per call (n³ from "
                   f"{r['from_n']}×{r['from_n']})")
            if t1:
                goals.append((f"`orthogonal_` {n}×{n} at least PyTorch's throughput",
                              f"too slow to run: {fmt_s(r['predicted_s'])} predicted vs "
                              f"{fmt_s(statistics.median(t1))} per call", False))
        lines.append(f"| {n}×{n} | {d2l} | {fmt_mmm_s(t1) if t1 else '–'} | "
                     f"{fmt_mmm_s(t2) if t2 else '–'} |")
    lines.append("")
    return lines


def tree_section(crit: dict, torch: dict, goals: list) -> list[str]:
    lines = ["### Walking the module tree", "",
             "`Sequential` of N blocks `Sequential(Linear(4, 4), ReLU())`; one call on the whole "
             "net. Goal: linear in N, under 1 ms for 1000 blocks. *growth* = time(10000) / "
             "time(1000): 10 when linear; counted as linear here up to 20 (the time per block "
             "at most doubling, as caches overflow).", "",
             "| operation | N = 100 | N = 1000 | N = 10000 | growth | PyTorch, N = 1000 | "
             "PyTorch growth | goal |", "|---|---|---|---|---|---|---|---|"]
    ttree = torch.get("tree", {})
    labels = {"build": "building the net"}
    for op in ("named_parameters", "parameters", "state_dict", "apply", "named_modules", "build"):
        t = {n: crit_times(crit, f"tree/{op}/{n}") for n in (100, 1000, 10000)}
        if not all(t.values()):
            continue
        med = {n: statistics.median(v) for n, v in t.items()}
        growth = med[10000] / med[1000]
        tp = ttree.get(f"{op}/1000")
        tp10 = ttree.get(f"{op}/10000")
        tgrowth = (f"×{statistics.median(tp10) / statistics.median(tp):.1f}"
                   if tp and tp10 else "–")
        ok = None
        if op in ("named_parameters", "state_dict", "apply"):
            ok = med[1000] < 1e-3 and growth <= 20
            goals.append((f"`{op}` on 1000 blocks under 1 ms, linear", f"{fmt_s(med[1000])}, "
                          f"growth ×{growth:.1f} from 1000 to 10000", ok))
        lines.append(f"| {labels.get(op, op)} | {fmt_mmm_s(t[100])} | {fmt_mmm_s(t[1000])} | "
                     f"{fmt_mmm_s(t[10000])} | ×{growth:.1f} | "
                     f"{fmt_s(statistics.median(tp)) if tp else '–'} | {tgrowth} | {met(ok)} |")
    lines.append("")
    return lines


def train_section(crit: dict, torch: dict, goals: list) -> list[str]:
    lines = ["### One training step", "",
             "forward, `mse_loss`, `zero_grad`, `backward`, SGD step. Threads: candle's matmul "
             "(RAYON_NUM_THREADS) and `torch.set_num_threads`. Goal: d2l within 1.5× of "
             "PyTorch.", "",
             "| model | threads | d2l | raw candle | PyTorch | d2l / PyTorch | goal |",
             "|---|---|---|---|---|---|---|"]
    ttrain = torch.get("train", {})
    for model in ("tied MLP, batch 1", "MLP 784-256-256-10, batch 256"):
        for t in ("1", "2"):
            d = crit_times(crit, f"train/threads={t}/{model}: d2l")
            c = crit_times(crit, f"train/threads={t}/{model}: raw candle")
            p = ttrain.get(t, {}).get(model, [])
            if not d:
                continue
            ratio = statistics.median(d) / statistics.median(p) if p else float("nan")
            ok = ratio <= 1.5 if p else None
            if p:
                goals.append((f"Training step, {model}, {t} thread(s): within 1.5× of "
                              "PyTorch", f"{ratio:.2f}×", ok))
            lines.append(f"| {model} | {t} | {fmt_mmm_s(d)} | {fmt_mmm_s(c) if c else '–'} | "
                         f"{fmt_mmm_s(p) if p else '–'} | {ratio:.2f}× | {met(ok)} |")
    for t in ("1", "2"):
        d = crit_times(crit, f"train/threads={t}/tied MLP, batch 1: d2l, with 20000 other live "
                             "parameters")
        if d:
            lines.append(f"| tied MLP, batch 1, while another net with 20000 parameters is "
                         f"alive | {t} | {fmt_mmm_s(d)} | | | | |")
    lines.append("")
    return lines


def memory_section(d: Path, torch: dict) -> list[str]:
    lines = ["### Memory: tied against untied parameters (exercise 4)", "",
             "*API*: the distinct storages behind `parameters()` (a tied layer's storage counts "
             "once), summed. *RSS*: growth of the process's resident memory while N such nets "
             "are allocated and kept, divided by N (each case in a fresh process).", "",
             "| net | tied | parameters | API: bytes of unique storages | RSS per net, d2l | "
             "RSS per net, PyTorch |", "|---|---|---|---|---|---|"]
    rust = []
    if (d / "memory.jsonl").exists():
        rust = [json.loads(x) for x in (d / "memory.jsonl").read_text().splitlines() if x]
    tmem = {(m["net"], m["tied"]): m for m in torch.get("memory", [])}
    for m in rust:
        tm = tmem.get((m["net"], m["tied"]))
        torch_rss = f"{tm['rss_bytes_per_net']:,.0f}" if tm else "–"
        lines.append(f"| {m['net']} (N = {m['copies']}) | {'yes' if m['tied'] else 'no'} | "
                     f"{m['parameters_numel']:,} | {m['unique_storage_bytes']:,} | "
                     f"{m['rss_bytes_per_net']:,.0f} | {torch_rss} |")
    by = {(m["net"], m["tied"]): m for m in rust}
    for net in sorted({m["net"] for m in rust}):
        u, t = by.get((net, False)), by.get((net, True))
        if u and t:
            lines.append("")
            lines.append(f"{net}: tying saves {u['unique_storage_bytes'] - t['unique_storage_bytes']:,} "
                         f"bytes of parameters per net by the API count "
                         f"({t['unique_storage_bytes'] / u['unique_storage_bytes']:.2f} of the "
                         f"untied size) and {u['rss_bytes_per_net'] - t['rss_bytes_per_net']:,.0f} "
                         "bytes of resident memory per net.")
    lines.append("")
    return lines


def write_report(args) -> None:
    d = Path(args.dir)
    load = lambda name: json.loads((d / name).read_text()) if (d / name).exists() else {}  # noqa
    crit, torch, nb = load("criterion.json"), load("torch.json"), load("notebooks.json")
    student = load("student.json")
    goals: list = list(report_student.goals(student))
    body = []
    body += report_student.section(student) + [""]
    pytorch_mb = student.get("pytorch", {}).get("kernel_after_import_rss_mb") if student else None
    if (d / "kernel_memory.json").exists():
        body += kernel_memory.section(load("kernel_memory.json"), pytorch_mb) + [""]
    # The class section comes from its own run (make classroom-bench): kept as it is.
    if Path(args.out).exists():
        old = Path(args.out).read_text()
        if report_classroom.BEGIN in old and report_classroom.END in old:
            start = old.index(report_classroom.BEGIN)
            body += [old[start:old.index(report_classroom.END) + len(report_classroom.END)], ""]
    body += notebooks_section(nb, goals)
    body += probe_section(nb)
    body += init_section(crit, torch, goals)
    body += orthogonal_section(d, torch, goals)
    body += tree_section(crit, torch, goals)
    body += train_section(crit, torch, goals)
    body += memory_section(d, torch)
    head = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tools/bench/run; about an hour). Goals are reported next to "
        "the measured value; they are not tests. The findings and suggestions drawn from these "
        "numbers are in [the last section](#findings).",
        "",
    ]
    head += machine(d, torch, args.quick)
    head += ["## Goals at a glance", "", "| goal | measured | |", "|---|---|---|"]
    head += [f"| {g} | {m} | {met(ok)} |" for g, m, ok in goals]
    head.append("")
    findings = Path(__file__).resolve().parent / "FINDINGS.md"
    tail = ["## Findings", ""]
    tail += (findings.read_text().splitlines() if findings.exists() else ["(none written)"])
    Path(args.out).write_text("\n".join(head + body + tail) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--collect-criterion", nargs=2)
    ap.add_argument("--out")
    ap.add_argument("--dir", default=str(ROOT / "build" / "bench"))
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.collect_criterion:
        collect_criterion(Path(a.collect_criterion[0]), Path(a.collect_criterion[1]))
    if a.out:
        write_report(a)


if __name__ == "__main__":
    main()
