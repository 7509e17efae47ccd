"""A class on one machine (`make classroom-bench`): simulated students on a JupyterHub of its own.

Starts the class hub (tools/hub/start, hub/jupyterhub_config.py) on a free loopback port with a
settings file and a database of its own, so that a teacher's hub is never touched. For each class
size N (default 1, 5, 10; D2L_CLASS_SIZES), N students at once: sign up and log in through the
hub's pages (the form a browser posts), start their server through the hub's REST API, open a
notebook (student i takes notebook i mod 5) and run all its cells as JupyterLab does (REST session
and kernel websocket, every cell sent at once). Then the shape of a lecture: everyone stays logged
in with a kernel open while ten of them run a notebook at the same moment.

Recorded per N: login to first result (median, p95), each cell's latency (from when the kernel
could take it, the previous cell's idle, to its reply; median, p95), the machine's peak memory
and per student (the resident memory of the processes of the student's account), CPU use, extra
disk per student, errors, and every output compared with the notebook's stored one. A class size
the machine's memory cannot hold (measured per student at the smallest N) is not run and is
reported as such. The bench accounts (``d2lbench-*``) are deleted at the end.

Runs as root (the hub makes accounts). Results: build/classroom/results.json, and BENCHMARKS.md's
section "A class on one server" (report_classroom.py).
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))
sys.path.insert(0, str(ROOT / "tools" / "hub"))
sys.path.insert(0, str(ROOT / "tools" / "bench"))
from hub_session import Hub, delete_accounts, run_cells, student_session  # noqa: E402

import report_classroom  # noqa: E402

OUT = ROOT / "build" / "classroom"
PREFIX = "d2lbench-"

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LECTURE_RUNNING = 10


def log(msg: str) -> None:
    print(f"[classroom-bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pct(values: list[float], q: float) -> float | None:
    """The q-quantile (0..1) by the nearest-rank rule; None for no values.

    >>> pct([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)
    10
    >>> pct([3.0], 0.5)
    3.0
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 1)))
    return ordered[rank - 1]


class Sampler:
    """Samples the machine's used memory, CPU and each bench account's resident memory."""

    def __init__(self):
        self.peak_used_gb = 0.0
        self.per_student_peak_mb: dict[str, float] = {}
        self.cpu: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    @staticmethod
    def used_gb() -> float:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        kb = lambda k: int(info[k].split()[0])  # noqa: E731
        return (kb("MemTotal") - kb("MemAvailable")) / 1024 / 1024

    @staticmethod
    def cpu_times() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]

    @staticmethod
    def rss_by_account() -> dict[str, float]:
        out: dict[str, float] = {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                status = (proc / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            try:
                name = pwd.getpwuid(int(fields["Uid"].split()[0])).pw_name
            except KeyError:
                continue
            if name.startswith(PREFIX) and "VmRSS" in fields:
                out[name] = out.get(name, 0.0) + int(fields["VmRSS"].split()[0]) / 1024
        return out

    def loop(self) -> None:
        last = self.cpu_times()
        while not self.stop.wait(1.0):
            self.peak_used_gb = max(self.peak_used_gb, self.used_gb())
            for name, mb in self.rss_by_account().items():
                self.per_student_peak_mb[name] = max(self.per_student_peak_mb.get(name, 0), mb)
            now = self.cpu_times()
            total, idle = now[0] - last[0], now[1] - last[1]
            if total:
                self.cpu.append(100.0 * (1 - idle / total))
            last = now

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def disk_mb(name: str) -> float | None:
    try:
        home = Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        return None
    out = subprocess.run(["du", "-sm", str(home)], capture_output=True, text=True)
    return float(out.stdout.split()[0]) if out.returncode == 0 else float("nan")


def stop_servers(hub: Hub, names: list[str]) -> None:
    for name in names:
        try:
            hub.api("DELETE", f"/users/{name}/server")
        except urllib.error.HTTPError:
            pass
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not any(hub.api("GET", f"/users/{n}")["servers"] for n in names):
            return
        time.sleep(1)


def summarise(n: int, results: list[dict], sampler: Sampler, base_gb: float) -> dict:
    firsts = [r["first_result_s"] for r in results if r.get("first_result_s") is not None]
    cells = [x for r in results for x in r.get("cell_latencies_s", [])]
    return {
        "students": n,
        "first_result_median_s": pct(firsts, 0.5), "first_result_p95_s": pct(firsts, 0.95),
        "cell_median_s": pct(cells, 0.5), "cell_p95_s": pct(cells, 0.95),
        "peak_used_gb": sampler.peak_used_gb, "base_used_gb": base_gb,
        "per_student_peak_mb": pct(list(sampler.per_student_peak_mb.values()), 0.5),
        "cpu_mean_pct": statistics.fmean(sampler.cpu) if sampler.cpu else None,
        "errors": sum(len(r["errors"]) + len(r.get("not_ok", [])) for r in results),
        "cells_unanswered": sum(r.get("cells_unanswered", 0) for r in results),
        "error_texts": [e for r in results for e in r["errors"]],
        "outputs_different": sum(len(r.get("mismatched_cells", [])) for r in results),
        "cells": len(cells),
        "disk_per_student_mb": pct([d for r in results
                                    if (d := disk_mb(PREFIX + r["student"])) is not None], 0.5),
        "results": [{k: v for k, v in r.items() if k not in ("session", "cells")}
                    for r in results],
    }


def class_run(hub: Hub, names: list[str]) -> dict:
    base = Sampler.used_gb()
    barrier = threading.Barrier(len(names))
    with Sampler() as sampler, ThreadPoolExecutor(len(names)) as pool:
        futures = [pool.submit(student_session, hub, name, NOTEBOOKS[i % len(NOTEBOOKS)],
                               barrier) for i, name in enumerate(names)]
        results = [f.result() for f in futures]
    summary = summarise(len(names), results, sampler, base)
    stop_servers(hub, names)
    return summary


def lecture_run(hub: Hub, names: list[str]) -> dict:
    """Everyone logged in with a kernel open; then ten of them run a notebook at one moment."""
    base = Sampler.used_gb()
    with Sampler() as sampler, ThreadPoolExecutor(len(names)) as pool:
        opened = [f.result() for f in [pool.submit(student_session, hub, name,
                                                   NOTEBOOKS[i % len(NOTEBOOKS)], None,
                                                   None, False)
                                       for i, name in enumerate(names)]]
        running = [r for r in opened if "session" in r][:LECTURE_RUNNING]
        go = time.monotonic()
        futures = [pool.submit(run_cells, r["session"], r["cells"], go) for r in running]
        for r, f in zip(running, futures):
            out = f.result()
            r["errors"] += out.pop("errors", [])
            r.update(out)
        for r in opened:
            if "session" in r:
                r.pop("session").close()
    summary = summarise(len(names), opened, sampler, base)
    summary["running"] = len(running)
    stop_servers(hub, names)
    return summary


def main() -> None:
    if os.geteuid() != 0:
        sys.exit("classroom_bench.py: run as root (make classroom-bench)")
    # stopped from outside: still stop the hub and delete the accounts
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(x) for x in os.environ.get("D2L_CLASS_SIZES", "1,5,10").split(",")]
    lecture = int(os.environ.get("D2L_CLASS_LECTURE", "30"))
    total_gb = Sampler.used_gb() + (
        int(Path("/proc/meminfo").read_text().split("MemAvailable:")[1].split()[0]) / 1024 / 1024)
    delete_accounts(PREFIX)
    names = [f"s{i:02d}" for i in range(1, max(sizes + [lecture]) + 1)]
    hub = Hub(names, OUT, PREFIX)
    report: dict = {"machine": {"cores": os.cpu_count(), "memory_gb": round(total_gb, 1)},
                    "classes": [], "not_run": []}
    per_student_gb = None
    try:
        for n in sizes:
            if per_student_gb is not None:
                need = Sampler.used_gb() + n * per_student_gb
                if need > 0.9 * total_gb:
                    report["not_run"].append({"students": n, "would_need_gb": round(need, 1)})
                    log(f"N={n}: not run, would need {need:.1f} GB of {total_gb:.1f}")
                    continue
            log(f"N={n}: starting")
            summary = class_run(hub, names[:n])
            report["classes"].append(summary)
            log(f"N={n}: first result p95 {summary['first_result_p95_s']}, "
                f"cell p95 {summary['cell_p95_s']}, peak {summary['peak_used_gb']:.1f} GB, "
                f"errors {summary['errors']}, different {summary['outputs_different']}")
            # what a student costs, from the largest class so far (a class of one also counts
            # the machine's own swings)
            per_student_gb = max((summary["peak_used_gb"] - summary["base_used_gb"]) / n, 0.1)
        need = Sampler.used_gb() + lecture * (per_student_gb or 1.0)
        if lecture and need > 0.9 * total_gb:
            report["lecture_asked"] = {"students": lecture, "would_need_gb": round(need, 1)}
            # the largest lecture that fits, if it still has ten running
            fits = int((0.9 * total_gb - Sampler.used_gb()) / (per_student_gb or 1.0))
            log(f"lecture of {lecture}: would need {need:.1f} GB; {fits} fit")
            lecture = fits if fits >= LECTURE_RUNNING else 0
        if lecture:
            log(f"lecture: {lecture} logged in, {LECTURE_RUNNING} running")
            report["lecture"] = lecture_run(hub, names[:lecture])
    finally:
        hub.stop()
        delete_accounts(PREFIX)
    report["per_student_gb_estimate"] = per_student_gb
    (OUT / "results.json").write_text(json.dumps(report, indent=1))
    log(f"results: {OUT / 'results.json'}")
    report_classroom.update(ROOT / "BENCHMARKS.md", report)


if __name__ == "__main__":
    main()
