"""The "A class on one server" section of BENCHMARKS.md, from tools/bench/classroom_bench.py's
results (build/classroom/results.json): one row per class size, the lecture, the goals.

usage: python tools/bench/report_classroom.py RESULTS.json BENCHMARKS.md
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BEGIN = "<!-- classroom-bench:begin -->"
END = "<!-- classroom-bench:end -->"


def _s(x, unit: str = " s") -> str:
    """A figure for the table ("–" when there is none).

    >>> (_s(1.234), _s(None), _s(512, " MB"))
    ('1.2 s', '–', '512 MB')
    """
    if x is None:
        return "–"
    return f"{x:.0f}{unit}" if abs(x) >= 100 else f"{x:.1f}{unit}"


def row(c: dict, label: str | None = None) -> str:
    return (f"| {label or c['students']} | {_s(c['first_result_median_s'])} / "
            f"{_s(c['first_result_p95_s'])} | {_s(c['cell_median_s'])} / {_s(c['cell_p95_s'])} | "
            f"{_s(c['peak_used_gb'], ' GB')} ({_s(c['base_used_gb'], ' GB')} before) | "
            f"{_s(c['per_student_peak_mb'], ' MB')} | {_s(c['cpu_mean_pct'], ' %')} | "
            f"{_s(c['disk_per_student_mb'], ' MB')} | {c['errors']} | {c['outputs_different']} "
            f"of {c['cells']} |")


def goals(r: dict) -> list[str]:
    lec = r.get("lecture", {})
    hosted = lec.get("students")
    classes = r["classes"]
    disk = max((c["disk_per_student_mb"] for c in classes), default=None)
    lost = sum(c["outputs_different"] + c["errors"] for c in classes + ([lec] if hosted else []))

    def status(ok: bool | None) -> str:
        return "–" if ok is None else ("met" if ok else "**not met**")

    first = lec.get("first_result_p95_s") if hosted else None
    cell = lec.get("cell_p95_s") if hosted else None
    # first result in a lecture: from the moment the ten start running
    return [
        f"| students hosted, each with a kernel open | {hosted or 0}"
        + (f" (30 would need {r['lecture_asked']['would_need_gb']} GB)"
           if "lecture_asked" in r else "") + f" | 30 | {status((hosted or 0) >= 30)} |",
        f"| 10 running cells at once: first result p95 | {_s(first)} | <= 10 s | "
        f"{status(None if first is None else first <= 10)} |",
        f"| 10 at once: cell latency p95 | {_s(cell)} | <= 3 s | "
        f"{status(None if cell is None else cell <= 3)} |",
        f"| extra disk per student | {_s(disk, ' MB')} | <= 50 MB | "
        f"{status(None if disk is None else disk <= 50)} |",
        f"| outputs lost or different, errors | {lost} | 0 | {status(lost == 0)} |",
    ]


def section(r: dict) -> list[str]:
    m = r["machine"]
    lines = [BEGIN, "## A class on one server (JupyterHub, `make classroom-bench`)", "",
             f"One run of tools/bench/classroom_bench.py on this machine ({m['cores']} cores, "
             f"{m['memory_gb']:.0f} GB): the class hub (`make hub`, LocalProcessSpawner, one Unix "
             "account per student, no warm spare kernels) on loopback; every simulated student "
             "signs up and logs in through the hub's pages, starts a server through its API, "
             "opens a notebook (student i takes notebook i mod 5) and runs all its cells as "
             "JupyterLab does, all students at the same moment. First result: from the login "
             "form to the first output; a cell: from when the kernel could take it to its "
             "reply. Memory per student: the resident memory of their account's processes "
             "(server, evcxr, the cells' process) at its peak.", "",
             "| goal | measured | target | |", "|---|---|---|---|", *goals(r), "",
             "| students | first result median / p95 | cell median / p95 | machine memory peak "
             "| per student | CPU | disk per student | errors | outputs different |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [row(c) for c in r["classes"]]
    for skipped in r.get("not_run", []):
        lines.append(f"| {skipped['students']} | not run: the class would need "
                     f"{skipped['would_need_gb']} GB | | | | | | | |")
    lec = r.get("lecture", {})
    if lec:
        lines.append(row(lec, f"lecture: {lec['students']} open, {lec['running']} running"))
    asked = r.get("lecture_asked")
    if asked:
        lines.append(f"| lecture: {asked['students']} open, 10 running | not run: it would need "
                     f"{asked['would_need_gb']} GB | | | | | | | |")
    texts = [t for c in r["classes"] + ([lec] if lec else []) for t in c.get("error_texts", [])]
    if texts:
        lines += ["", "Errors, as the bench recorded them:", ""]
        lines += [f"- {t}" for t in texts[:8]]
    est = r.get("per_student_gb_estimate")
    if est:
        lines += ["", f"Per student the machine gave up {est:.2f} GB in the largest class run "
                  "(its peak over the memory in use before, divided by the class size); larger "
                  "classes that would not fit in 90% of the memory are not started. What a kernel "
                  "holds: section \"Kernel memory\"; a compile adds to it while it runs, and a "
                  "kernel loads rust-analyzer (about 500 MB) at the first cell whose analysis is "
                  "not stored (one a student wrote or edited)."]
    return lines + ["", END]


def update(md_path: Path, results: dict) -> None:
    text = md_path.read_text()
    block = "\n".join(section(results))
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.replace("\n## Findings", "\n" + block + "\n\n## Findings", 1)
    md_path.write_text(text)


if __name__ == "__main__":
    update(Path(sys.argv[2]), json.loads(Path(sys.argv[1]).read_text()))
