"""The notebook half of `make bench`: how long the chapter takes in Jupyter, warm and cold, in
Rust (evcxr, kernel `rust`) and in PyTorch (ipykernel of .venv-bench), and what per-cell time is
made of under several evcxr settings. Writes one JSON file; tools/bench/report.py turns it into
BENCHMARKS.md.

usage: python tools/bench/nb_bench.py OUT.json [--reps N] [--only warm,probe,cold]

Parts:
  warm   every notebooks/*.ipynb in a fresh `rust` kernel on the developer's warm cache
         (.cache/evcxr, after `make setup`), and every tools/bench/pytorch/*.ipynb in a fresh
         `python3` kernel, N times each, interleaved.
  probe  tools/bench/probe/probe.ipynb (a fixed small notebook) under each evcxr setting, each
         setting in a build folder of its own under build/bench/evcxr/ (first filled from the
         warm template), against a frozen copy of the crate; one untimed run first (it builds
         whatever the setting needs), then N timed runs with the cell's compile and link steps
         logged (tools/bench/timing).
  cold   (1) `make setup`'s warm-up step into an empty cache folder; (2) the first kernel on a
         new machine: that fresh template, an empty kernel slot; (3) a kernel with no cache at
         all (EVCXR_TMPDIR empty). Each once (they take minutes); the developer's cache is not
         touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbrun  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH = ROOT / "tools" / "bench"
BUILD = ROOT / "build" / "bench"
CACHE = ROOT / ".cache" / "evcxr"
MAIN_VENV = ROOT / ".venv"
TOOLS_BIN = BUILD / "tools" / "usr" / "bin"

# The `rust` kernelspec lives in the project's .venv; the python3 kernel is this venv's own.
BASE_ENV = {"JUPYTER_PATH": str(MAIN_VENV / "share" / "jupyter")}


def log(msg: str) -> None:
    print(f"[nb_bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def summary(r: dict) -> str:
    cells = r["cells_s"]
    med = sorted(cells)[len(cells) // 2] if cells else float("nan")
    err = f"  ERROR: {r['error']}" if r["error"] else ""
    return (f"{r['notebook']} [{r['kernel']}] start {r['kernel_start_s']:.1f} s, "
            f"wall {r['wall_s']:.1f} s, median cell {med:.2f} s{err}")


def run(path: Path, kernel: str, env: dict | None = None, **kw) -> dict:
    full_env = dict(BASE_ENV)
    full_env.update(env or {})
    r = nbrun.run_notebook(path, kernel, env=full_env, **kw)
    log(summary(r))
    return r


# ------------------------------------------------------------------------------------- warm


def part_warm(reps: int) -> dict:
    rust = sorted((ROOT / "notebooks").glob("*.ipynb"))
    torch_nbs = sorted((BENCH / "pytorch").glob("*.ipynb"))
    log("warm: one untimed run first (makes sure a kernel slot holds the current template)")
    priming = run(rust[0], "rust")
    out = {"priming": priming, "rust": [], "pytorch": []}
    for rep in range(reps):
        log(f"warm: round {rep + 1}/{reps}")
        out["rust"].append([run(p, "rust") for p in rust])
        out["pytorch"].append([run(p, "python3") for p in torch_nbs])
    return out


# ------------------------------------------------------------------------------------ probe

# name -> (commands put before the probe's first cell, extra kernel environment, what it tests).
VARIANTS = {
    "project settings": ("", {}, "tools/kernel/evcxr/evcxr.toml as it is"),
    ":opt 1": (":opt 1", {}, "optimisation level 1"),
    ":opt 2": (":opt 2", {}, "evcxr's own default"),
    ":timing": (":timing", {}, "evcxr reports its own time for each cell"),
    ":linker mold": (":linker mold", {"PATH": f"{TOOLS_BIN}:{os.environ.get('PATH', '')}"},
                     "mold (Debian's package, unpacked into build/bench/tools)"),
    ":linker lld": (":linker lld", {"PATH": f"{TOOLS_BIN}:{os.environ.get('PATH', '')}"},
                    "lld (Debian's package, unpacked into build/bench/tools)"),
    ":cache 1024": (":cache 1024", {"XDG_CACHE_HOME": str(BUILD / "xdg-cache")},
                    "evcxr's compilation cache (kept in build/bench/xdg-cache)"),
    "dependencies at opt-level 0": ("", {"D2L_EVCXR_CARGO_CONFIG": "/dev/null"},
                                    "without tools/kernel/evcxr/cargo-config.toml: the "
                                    "dependencies built at the cells' level 0 too"),
    "without the display methods": ("", {},
                                    "the crate without the `evcxr_display` methods of its "
                                    "tensors, parameters, ... (src/notebook.rs), so that every "
                                    "cell ending in a value compiles twice"),
}
# Variants that run against an edited copy of the crate: name -> (file, text, replacement).
CRATE_EDITS = {
    "without the display methods": ("src/notebook.rs", "pub fn evcxr_display(&self) {",
                                    "pub fn not_evcxr_display(&self) {"),
}


def frozen_crate(name: str = "d2l-snapshot") -> Path:
    """A copy of the crate that stays put while the probe runs (others may be editing src/)."""
    dst = BUILD / name
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in ("Cargo.toml", "Cargo.lock"):
        shutil.copy2(ROOT / name, dst / name)
    shutil.copytree(ROOT / "src", dst / "src")
    # Dev-dependencies and bench targets are not needed to build the library.
    text = (dst / "Cargo.toml").read_text()
    keep = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip() in ("[dev-dependencies]", "[[bench]]", "[[test]]",
                                        "[[example]]")
        if not skipping:
            keep.append(line)
    (dst / "Cargo.toml").write_text("\n".join(keep) + "\n")
    return dst


def variant_cache(name: str) -> Path:
    safe = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")
    d = BUILD / "evcxr" / safe
    stamp = (CACHE / "template" / ".stamp").read_text() if (CACHE / "template" / ".stamp").exists() else ""
    mine = (d / "template" / ".stamp").read_text() if (d / "template" / ".stamp").exists() else ""
    if mine != stamp:
        # The warm template was rebuilt since this copy (new dependencies or build settings).
        shutil.rmtree(d / "template", ignore_errors=True)
    if not (d / "template" / "target").exists():
        d.mkdir(parents=True, exist_ok=True)
        log(f"probe: copying the warm template for '{name}'")
        subprocess.run(["flock", "-s", str(CACHE / "template.lock"), "cp", "-a",
                        str(CACHE / "template"), str(d / "template")], check=True)
    return d


def read_timing_log(path: Path) -> list[tuple]:
    events = []
    if path.exists():
        for line in path.read_text().splitlines():
            f = line.split()
            if len(f) >= 4:
                rc = int(f[5]) if len(f) >= 6 and f[5].lstrip("-").isdigit() else 0
                events.append((f[0], f[1], float(f[2]), float(f[3]), rc))
    return events


def breakdown(r: dict, events: list[tuple]) -> list[dict]:
    """Per cell: compiles of the cell crate (and how many failed), their time, link time."""
    out = []
    cpu = r.get("kernel_cpu_s") or [float("nan")] * len(r["cells_s"])
    for (t0, t1), total, kcpu in zip(r["cell_spans"], r["cells_s"], cpu):
        inside = [e for e in events if e[2] >= t0 - 0.05 and e[3] <= t1 + 0.05]
        ctx = [e for e in inside if e[0] == "rustc" and e[1] == "ctx"]
        deps = [e for e in inside if e[0] == "rustc" and e[1] not in ("ctx", "___")]
        links = [e for e in inside if e[0] == "link"]
        link_s = sum(e[3] - e[2] for e in links)
        rustc_s = sum(e[3] - e[2] for e in ctx) - link_s
        out.append({
            "cell_s": total,
            "compiles": len(ctx),
            "failed_compiles": sum(1 for e in ctx if e[4] != 0),
            "rustc_s": rustc_s,
            "link_s": link_s,
            "other_rustc_s": sum(e[3] - e[2] for e in deps),
            "kernel_cpu_s": kcpu,
            "rest_s": total - rustc_s - link_s,
        })
    return out


def part_probe(reps: int, variants: list[str]) -> dict:
    probe = BENCH / "probe" / "probe.ipynb"
    frozen = frozen_crate()
    out = {}
    for name in variants:
        prefix, env, what = VARIANTS[name]
        crate = frozen
        if name in CRATE_EDITS:
            rel, old, new = CRATE_EDITS[name]
            crate = frozen_crate("d2l-snapshot-edited")
            text = (crate / rel).read_text()
            if old not in text:
                out[name] = {"what": what, "skipped": f"{rel} no longer has `{old}`"}
                continue
            (crate / rel).write_text(text.replace(old, new))
        if "linker" in name and not TOOLS_BIN.exists():
            out[name] = {"what": what, "skipped": "mold/lld not unpacked (tools/bench/run does it)"}
            continue
        cache = variant_cache(name)
        tlog = cache / "timing.log"
        first = nbrun.load(probe)
        src = first.cells[0].source.replace('path = "../../.."', f'path = "{crate}"')
        lines = [
            f":build_env RUSTC_WORKSPACE_WRAPPER={BENCH / 'timing' / 'rustc-wrapper'}",
            f":build_env D2L_BENCH_TIMING_LOG={tlog}",
        ]
        if prefix:
            lines.append(prefix)
        first.cells[0].source = "\n".join(lines) + "\n" + src
        kenv = {"D2L_EVCXR_CACHE": str(cache), "EVCXR_KERNEL_WARMUP": "1"}
        kenv.update(env)
        runs = []
        log(f"probe '{name}': untimed first run")
        tlog.write_text("")
        t0 = time.monotonic()
        first_run = run(probe, "rust", env=kenv, nb=first)
        first_run["breakdown"] = breakdown(first_run, read_timing_log(tlog))
        first_wall = time.monotonic() - t0
        for rep in range(reps):
            tlog.write_text("")
            r = run(probe, "rust", env=kenv, nb=first)
            r["breakdown"] = breakdown(r, read_timing_log(tlog))
            runs.append(r)
        out[name] = {"what": what, "prefix": prefix, "first_run": first_run,
                     "first_run_wall_s": first_wall, "runs": runs}
    return out


# ------------------------------------------------------------------------------------- cold


def part_cold() -> dict:
    rust = sorted((ROOT / "notebooks").glob("*.ipynb"))
    fixtures = sorted((ROOT / "tests" / "notebooks" / "fixtures").glob("*.ipynb"))
    base = BUILD / "cold"
    if base.exists():
        shutil.rmtree(base)
    setup_cache, nocache = base / "setup", base / "nocache"
    setup_cache.mkdir(parents=True)
    nocache.mkdir(parents=True)
    out = {}

    log("cold: make setup's warm-up step (tools/kernel/warmup.py) into an empty cache folder")
    env = dict(os.environ, D2L_EVCXR_CACHE=str(setup_cache))
    t0 = time.monotonic()
    proc = subprocess.run([str(MAIN_VENV / "bin" / "python"), str(ROOT / "tools/kernel/warmup.py"),
                           *map(str, rust), *map(str, fixtures)],
                          env=env, capture_output=True, text=True)
    out["setup_warmup_s"] = time.monotonic() - t0
    out["setup_warmup_ok"] = proc.returncode == 0
    out["setup_warmup_tail"] = (proc.stdout + proc.stderr)[-1500:]
    log(f"cold: warm-up took {out['setup_warmup_s']:.0f} s (exit {proc.returncode})")

    log("cold: first kernel on a new machine (warm template, empty slot)")
    out["empty_slot"] = run(rust[0], "rust", env={"D2L_EVCXR_CACHE": str(setup_cache)})
    log("cold: a second kernel while the first slot is taken is the same case; a kernel on the "
        "now-filled slot:")
    out["filled_slot"] = run(rust[0], "rust", env={"D2L_EVCXR_CACHE": str(setup_cache)})

    log("cold: a kernel with no cache at all (EVCXR_TMPDIR empty)")
    out["no_cache"] = run(rust[0], "rust",
                          env={"D2L_EVCXR_CACHE": str(nocache), "EVCXR_KERNEL_WARMUP": "1"})
    out["sizes_mb"] = {
        "template": du_mb(setup_cache / "template"),
        "slot": du_mb(setup_cache / "slot-0"),
    }
    shutil.rmtree(base, ignore_errors=True)
    return out


def du_mb(p: Path) -> float:
    try:
        r = subprocess.run(["du", "-sm", str(p)], capture_output=True, text=True, check=True)
        return float(r.stdout.split()[0])
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--probe-reps", type=int, default=2)
    ap.add_argument("--only", default="warm,probe,cold")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    a = ap.parse_args()
    parts = a.only.split(",")
    result: dict = {}
    out = Path(a.out)
    if out.exists():
        result = json.loads(out.read_text())
    t0 = time.monotonic()
    if "warm" in parts:
        result["warm"] = part_warm(a.reps)
        out.write_text(json.dumps(result, indent=1))
    if "probe" in parts:
        result["probe"] = part_probe(a.probe_reps, [v for v in a.variants.split(",") if v])
        out.write_text(json.dumps(result, indent=1))
    if "cold" in parts:
        result["cold"] = part_cold()
    result["elapsed_s"] = time.monotonic() - t0
    out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
