"""The "what a student waits for" section of BENCHMARKS.md, from tools/bench/student_bench.py's
JSON: opening notebooks through a Jupyter server with the kernel pool, Rust beside PyTorch.

`report.py` puts it in the whole report. After a run of only that part
(`D2L_BENCH_PARTS=student tools/bench/run`), `python report_student.py JSON BENCHMARKS.md`
replaces just this section (between its markers) and the matching rows of the goals table.

usage: python tools/bench/report_student.py STUDENT.json BENCHMARKS.md
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

BEGIN = "<!-- student-bench:begin -->"
END = "<!-- student-bench:end -->"
GOAL_TAG = "(through Jupyter)"


def _s(x) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def _med(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _slowest(runs: list[dict]) -> float | None:
    """The latest first result of notebooks opened together (one without a result counts as
    endless)."""
    return max((r["first_result_s"] or 1e9 for r in runs), default=None)


def goals(st: dict) -> list[tuple[str, str, bool | None]]:
    """(goal, measured, met) rows, each marked as measured through Jupyter."""
    if not st:
        return []
    rust, torch = st["rust"], st["pytorch"]
    rows = []
    warm = _med([r["first_result_s"] for r in rust["warm_open"]])
    t_warm = _med([r["first_result_s"] for r in torch["warm_open"]])
    rows.append((f"Open a notebook, pool warm, to its first result at most 3 s {GOAL_TAG}",
                 f"{_s(warm)} (PyTorch {_s(t_warm)})", warm is not None and warm <= 3))
    worst = _slowest(rust["three"].get("1", []))
    worst3 = _slowest(rust["three"].get("3", []))
    t_three = _slowest(torch["three"].get("0", []))
    rows.append((f"Three notebooks opened at once, each to its first result at most 6 s {GOAL_TAG}",
                 f"slowest {_s(worst)} with 1 spare, {_s(worst3)} with 3 (PyTorch {_s(t_three)})",
                 worst3 is not None and worst3 <= 6))
    dep = _med([r["first_cell_reply_s"] for r in rust["warm_open"]])
    rows.append((f"`:dep` cell in a pooled kernel at most 1 s {GOAL_TAG}",
                 f"{_s(dep)} from opening the notebook", dep is not None and dep <= 1))
    ratio = rust["chapter_wall_s"] / torch["chapter_wall_s"]
    rows.append((f"Whole chapter, a kernel per notebook, at most 3× PyTorch {GOAL_TAG}",
                 f"{ratio:.1f}× ({rust['chapter_wall_s']:.1f} s vs {torch['chapter_wall_s']:.1f} s)",
                 ratio <= 3))
    rows.append((f"Median cell at most 0.45 s {GOAL_TAG}",
                 f"{_s(rust['median_cell_s'])} (PyTorch {_s(torch['median_cell_s'])})",
                 rust["median_cell_s"] <= 0.45))
    rss = _med(rust.get("idle_pooled_rss_mb", []))
    rows.append((f"Idle pooled kernel at most 300 MB resident {GOAL_TAG}",
                 f"{rss:.0f} MB (PyTorch kernel after `import torch`: "
                 f"{torch.get('kernel_after_import_rss_mb', 0):.0f} MB)" if rss else "-",
                 rss is not None and rss <= 300))
    return rows


def section(st: dict) -> list[str]:
    lines = [BEGIN, "## What a student waits for (through a Jupyter server)", ""]
    if not st:
        return lines + ["(not run: `D2L_BENCH_PARTS=student tools/bench/run`)", "", END]
    rust, torch = st["rust"], st["pytorch"]
    lines += [
        "tools/bench/student_bench.py drives a real Jupyter server as JupyterLab does (REST, the "
        "kernel websocket, every cell of a notebook sent at once as \"Run All\"), the `rust` kernel "
        "with its pool of warm kernels (`D2L_KERNEL_POOL_SIZE=1` unless said) beside PyTorch's "
        "ipykernel through a server of its own. One run; times from opening the notebook "
        f"(POST /api/sessions). Load average during it: {st.get('load', '-')} on "
        f"{st.get('cpus', '?')} cores"
        + ("; the machine was busy with other work as well, so these times are longer than on "
           "a quiet one." if st.get("load_median", 0) > st.get("cpus", 99) else "."),
        "",
        "| notebook | Rust: first result | Rust: first cell replied | Rust: all cells | PyTorch: "
        "first result | PyTorch: all cells | Rust outputs differing from the stored ones |",
        "|---|---|---|---|---|---|---|",
    ]
    for r, t in zip(rust["warm_open"], torch["warm_open"]):
        lines.append(f"| {r['notebook']} (pool warm) | {_s(r['first_result_s'])} | "
                     f"{_s(r['first_cell_reply_s'])} | {_s(r['wall_s'])} | "
                     f"{_s(t['first_result_s'])} | {_s(t['wall_s'])} | "
                     f"{r['outputs_differ']} |")
    lines += ["", "The chapter, notebook after notebook without a pause (the pool refills while "
              "the previous one runs, or does not yet):", "",
              "| notebook | Rust: first result | Rust: all cells | PyTorch: all cells |",
              "|---|---|---|---|"]
    for r, t in zip(rust["chapter"], torch["chapter"]):
        lines.append(f"| {r['notebook']} | {_s(r['first_result_s'])} | {_s(r['wall_s'])} | "
                     f"{_s(t['wall_s'])} |")
    lines.append(f"| whole chapter | | {_s(rust['chapter_wall_s'])} | "
                 f"{_s(torch['chapter_wall_s'])} |")
    lines += ["", "Three notebooks opened at the same moment (first result of each):", ""]
    for size, runs in sorted(rust["three"].items()):
        cells = ", ".join(f"{r['notebook']} {_s(r['first_result_s'])}" for r in runs)
        lines.append(f"- Rust, {size} spare(s) in the pool: {cells}")
    for runs in torch["three"].values():
        cells = ", ".join(f"{r['notebook']} {_s(r['first_result_s'])}" for r in runs)
        lines.append(f"- PyTorch: {cells}")
    not_ok = sum(r["not_ok"] for part in ("warm_open", "chapter") for r in rust[part])
    not_ok += sum(r["not_ok"] for runs in rust["three"].values() for r in runs)
    lines += ["", f"Cells: median {_s(rust['median_cell_s'])}, p95 {_s(rust['p95_cell_s'])} "
              f"(PyTorch median {_s(torch['median_cell_s'])}, p95 {_s(torch['p95_cell_s'])}), "
              "from the kernel's busy to its reply. Rust cells whose reply was not `ok`: "
              f"{not_ok}.", ""]
    rss = rust.get("idle_pooled_rss_mb", [])
    if rss:
        lines += [f"Memory: an idle pooled kernel (evcxr and the cells' process, after its "
                  f"warm-up) holds {min(rss):.0f}–{max(rss):.0f} MB resident; a PyTorch kernel "
                  f"after `import torch`, {torch.get('kernel_after_import_rss_mb', 0):.0f} MB.", ""]
    return lines + [END]


def update(json_path: Path, md_path: Path) -> None:
    st = json.loads(json_path.read_text())
    text = md_path.read_text()
    block = "\n".join(section(st))
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.replace("\n## Findings", "\n" + block + "\n\n## Findings", 1)
    rows = [f"| {g} | {m} | {'met' if ok else '**not met**'} |" for g, m, ok in goals(st)]
    lines = [ln for ln in text.splitlines() if GOAL_TAG not in ln]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("|---|---|---|")) + 1
    md_path.write_text("\n".join(lines[:at] + rows + lines[at:]) + "\n")


if __name__ == "__main__":
    update(Path(sys.argv[1]), Path(sys.argv[2]))
