"""What holds an idle Rust kernel's memory, and what each of the kernel's memory settings saves.

One kernel per case, started through jupyter_client from the `rust` kernelspec's launcher (no
pool, so that nothing else runs in it), warmed exactly as the pool warms a spare (the `:dep`
cell, a typed `let`, a `drop`: tools/kernel/pool), then left idle for a few seconds; its resident
memory is summed over the launcher's process tree (evcxr_jupyter with rust-analyzer inside, and
the child process that runs the cells). The cases differ only in environment variables the
launcher passes on or sets:

  EVCXR_ANALYSIS_DEPTH        how deep rust-analyzer loads the cells' dependencies ("all": the
                              whole graph; the kernel's setting: 2, d2l and candle)
  RUST_SRC_PATH               the standard library's sources rust-analyzer reads (the kernel's
                              setting: tools/kernel/analysis_src.py's copy)
  MIMALLOC_ARENA_EAGER_COMMIT evcxr's allocator (the kernel's setting: 0)
  EVCXR_ANALYSIS_CACHE        where rust-analyzer's answers about cells run before are kept (the
                              kernel's setting: beside the cells' compiles, which `make setup`
                              fills with the warm-up's and the notebooks' cells; empty: off, so
                              rust-analyzer is loaded, as in every case but the kernel's own)

A kernel with no `:dep` at all shows what evcxr and the standard library cost by themselves.
PyTorch's kernel after `import torch` is beside them (student_bench.py measures it through a
server; here it is read from that run's JSON when there is one).

usage: python tools/bench/kernel_memory.py OUT.json        (from the project's .venv)
       python tools/bench/kernel_memory.py --report OUT.json BENCHMARKS.md [STUDENT.json]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "tools" / "kernel" / "evcxr-kernel"
sys.path.insert(0, str(ROOT / "tools" / "kernel"))
import analysis_src  # noqa: E402  (the toolchain's rust-src, the kernel's trimmed copy)
BEGIN = "<!-- kernel-memory:begin -->"
END = "<!-- kernel-memory:end -->"
IDLE_SECONDS = 5.0


def cases() -> list[tuple[str, dict[str, str], list[str] | None]]:
    """(label, environment, warm-up cells or None for the pool's) for each case."""
    off = {"EVCXR_ANALYSIS_CACHE": ""}
    full = {**off, "EVCXR_ANALYSIS_DEPTH": "all",
            "RUST_SRC_PATH": str(analysis_src.library_source()), "MIMALLOC_ARENA_EAGER_COMMIT": "2"}
    no_dep = ["let x: i32 = 1;", "let v = vec![x; 3];", "v.len()"]
    return [
        ("evcxr 0.22 as it comes: whole dependency graph, full rust-src, eager commit", full, None),
        ("dependencies two levels deep (EVCXR_ANALYSIS_DEPTH=2)",
         {**full, "EVCXR_ANALYSIS_DEPTH": "2"}, None),
        ("... and the trimmed standard-library sources (analysis_src.py)",
         {**full, "EVCXR_ANALYSIS_DEPTH": "2", "RUST_SRC_PATH": ""}, None),
        ("... and no eager arena commit", off, None),
        ("... and the analysis cache, no rust-analyzer: the kernel's settings", {}, None),
        ("rust-analyzer on the standard library alone (no `:dep`, no analysis cache)", off,
         no_dep),
    ]


def tree_rss_mb(pid: int) -> dict[str, float]:
    import psutil
    p = psutil.Process(pid)
    out: dict[str, float] = {}
    for q in [p, *p.children(recursive=True)]:
        try:
            name, rss = q.name(), q.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            continue
        out[name] = out.get(name, 0.0) + rss
    return out


def measure(env_over: dict[str, str], cells: list[str] | None) -> dict:
    from jupyter_client import KernelManager
    sys.path.insert(0, str(ROOT / "tools" / "kernel" / "pool"))
    from d2l_kernel_pool.pool import warmup_cells

    spec = Path(tempfile.mkdtemp()) / "kernels" / "rust-memory"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(LAUNCHER), "{connection_file}"], "display_name": "rust (memory)",
        "language": "rust"}))
    env = {k: v for k, v in os.environ.items()
           if k not in ("EVCXR_ANALYSIS_DEPTH", "RUST_SRC_PATH", "MIMALLOC_ARENA_EAGER_COMMIT",
                        "EVCXR_ANALYSIS_CACHE")}
    # empty: unset, except the analysis cache, which set but empty turns off (the launcher's
    # default is on)
    env.update({k: v for k, v in env_over.items() if v or k == "EVCXR_ANALYSIS_CACHE"})
    env["JUPYTER_PATH"] = str(spec.parent.parent)
    km = KernelManager(kernel_name="rust-memory")
    km.kernel_spec_manager.kernel_dirs.insert(0, str(spec.parent))
    km.start_kernel(cwd=str(ROOT / "notebooks"), env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=600)
        times, errors = [], []
        for code in cells if cells is not None else warmup_cells(ROOT):
            t = time.monotonic()
            reply = kc.execute_interactive(code, silent=True, store_history=False, timeout=1800,
                                           output_hook=lambda m: None)
            times.append(time.monotonic() - t)
            if reply["content"]["status"] != "ok":
                errors.append(f"{code}: {reply['content'].get('evalue', '')}")
        time.sleep(IDLE_SECONDS)
        rss = tree_rss_mb(km.provisioner.pid)
        return {"rss_mb": sum(rss.values()), "by_process": rss, "cell_s": times,
                "errors": errors}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(out: Path) -> None:
    results = []
    for label, env, cells in cases():
        print(f"[memory {time.strftime('%H:%M:%S')}] {label}", flush=True)
        r = measure(env, cells)
        r["case"], r["env"] = label, env
        print(f"  {r['rss_mb']:.0f} MB, cells {[round(t, 2) for t in r['cell_s']]}"
              f"{', errors ' + str(r['errors']) if r['errors'] else ''}", flush=True)
        results.append(r)
    load = Path("/proc/loadavg").read_text().split()[:3]
    out.write_text(json.dumps({"cases": results, "load_after": load}, indent=1))


def section(data: dict, pytorch_mb: float | None) -> list[str]:
    lines = [BEGIN, "", "## Kernel memory (an idle warmed kernel, `tools/bench/kernel_memory.py`)",
             "",
             "One kernel per case, started from the `rust` kernelspec's launcher without the pool, "
             "warmed as the pool warms a spare (the `:dep` cell, a typed `let`, a `drop`), idle "
             f"{IDLE_SECONDS:.0f} s; resident memory summed over its processes (evcxr_jupyter, with "
             "rust-analyzer inside once loaded, and the child that runs the cells). Each case "
             "changes one setting of the launcher's environment. One run; load average after it: "
             f"{' '.join(data['load_after'])}.", "",
             "| case | resident | evcxr_jupyter processes | warm-up cells | errors |",
             "|---|---|---|---|---|"]
    for r in data["cases"]:
        cells = " / ".join(f"{t:.1f} s" for t in r["cell_s"])
        lines.append(f"| {r['case']} | {r['rss_mb']:.0f} MB | "
                     f"{r['by_process'].get('evcxr_jupyter', 0):.0f} MB | {cells} | "
                     f"{len(r['errors'])} |")
    if pytorch_mb is not None:
        lines.append(f"| PyTorch's kernel after `import torch` (student bench) | "
                     f"{pytorch_mb:.0f} MB | | | |")
    lines += ["", "rust-analyzer is what a kernel's memory is: on the standard library alone it "
              "holds the last Rust row. Cutting the dependency graph keeps the types of d2l and "
              "candle (what the notebooks' variables have) and drops candle's own dependencies, "
              "which no variable's type names; the warm-up's first type inference is quicker "
              "for the same reason. With the analysis cache a kernel that runs cells seen "
              "before (the warm-up, the notebooks as they are) never loads rust-analyzer; the "
              "first cell it has not seen loads it, and the kernel is then as large as the row "
              "above.", "", END]
    return lines


def report(json_path: Path, md_path: Path, student_json: Path | None) -> None:
    data = json.loads(json_path.read_text())
    pytorch_mb = None
    if student_json and student_json.is_file():
        st = json.loads(student_json.read_text())
        pytorch_mb = st.get("pytorch", {}).get("kernel_after_import_rss_mb")
    new = "\n".join(section(data, pytorch_mb))
    text = md_path.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        marker = "<!-- student-bench:end -->"
        text = text.replace(marker, marker + "\n\n" + new, 1) if marker in text \
            else text.rstrip("\n") + "\n\n" + new + "\n"
    md_path.write_text(text)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--report"]:
        report(Path(sys.argv[2]), Path(sys.argv[3]),
               Path(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        run(Path(sys.argv[1]))
