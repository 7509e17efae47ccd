"""What a student waits for, measured as JupyterLab drives a kernel: a real Jupyter server, REST
and the kernel websocket, every cell of a notebook sent at once ("Run All"). The `rust` kernel
with its pool of warm kernels (tools/kernel/pool) against PyTorch's ipykernel (.venv-bench, with
torch), each through a server of its own rooted at its notebooks' folder.

Measured, for each side:
  warm_open    each notebook opened when the pool holds a warm spare: time from opening to the
               first printed result, and the first cell's reply (for Rust, the `:dep` cell)
  chapter      the five notebooks one after another without pause, each in its own kernel, as
               nbval runs them (the pool refills while the previous notebook runs, or does not)
  three        notebooks 1, 3 and 4 opened at the same moment, with a pool of 1 (the default)
               and of 3 spares: each one's first result
  cells        every cell's time, from the kernel's busy to its reply (over the chapter runs)
  memory       resident memory of an idle pooled kernel (the kernel and its child processes), and
               of a PyTorch kernel after its first cell (torch imported)
Every run's outputs are compared with the stored ones; differences are counted, not hidden.

usage: python tools/bench/student_bench.py OUT.json   (from the project's .venv)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))
from jupyter_session import JupyterServer, comparable, run_stored_notebook  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
PYTORCH = ROOT / "tools" / "bench" / "pytorch"
BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"
THREE = ["1-parameter-access.ipynb", "3-custom-init.ipynb", "4-tied-parameters.ipynb"]


def log(msg: str) -> None:
    print(f"[student {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pytorch_kernelspec(folder: Path) -> Path:
    """A kernelspec `pytorch` for .venv-bench's ipykernel, in a JUPYTER_PATH folder."""
    spec = folder / "kernels" / "pytorch"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(BENCH_PY), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "PyTorch", "language": "python",
    }))
    return folder


def pool_ready(server: JupyterServer) -> list:
    return [r for s in server.get("/d2l-kernel-pool").values() for r in s["ready"]]


def wait_pool(server: JupyterServer, count: int, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while len(pool_ready(server)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("the pool did not fill")
        time.sleep(0.5)


def tree_rss_mb(pid: int) -> float:
    p = psutil.Process(pid)
    return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)]) / 2**20


def one_notebook(server: JupyterServer, path: Path, kernel: str) -> dict:
    opened = time.monotonic()
    session, runs, cells = run_stored_notebook(server, path, kernel)
    try:
        firsts = [r.first_output for r in runs if r.first_output is not None]
        differ = sum(comparable(r.outputs) != comparable(c["outputs"])
                     for r, c in zip(runs, cells))
        return {
            "notebook": path.name,
            "first_result_s": (min(firsts) - opened) if firsts else None,
            "first_cell_reply_s": runs[0].replied - opened,
            "wall_s": max(r.replied for r in runs) - opened,
            "cells_s": [r.replied - r.busy for r in runs if r.busy and r.replied],
            "not_ok": sum(r.status != "ok" for r in runs),
            "outputs_differ": differ,
        }
    finally:
        session.close()


def side(kernel: str, folder: Path, names: list[str], env: dict, pooled: bool) -> dict:
    out: dict = {"warm_open": [], "chapter": [], "three": {}}
    logs = Path(tempfile.mkdtemp(prefix=f"bench-{kernel}-"))
    with JupyterServer(folder, pool=pooled, env={**env, "D2L_KERNEL_POOL_SIZE": "1"},
                       log=logs / "server.log") as server:
        for name in names:
            if pooled:
                wait_pool(server, 1)
                rss = [tree_rss_mb(pid) for pid, _, _ in pool_ready(server)]
                out.setdefault("idle_pooled_rss_mb", []).extend(rss)
            log(f"{kernel}: warm open {name}")
            out["warm_open"].append(one_notebook(server, folder / name, kernel))
        if pooled:
            wait_pool(server, 1)
        start = time.monotonic()
        for name in names:
            log(f"{kernel}: chapter {name}")
            out["chapter"].append(one_notebook(server, folder / name, kernel))
        out["chapter_wall_s"] = time.monotonic() - start
    three = [n for n in names if n in THREE]
    for size in ([1, 3] if pooled else [0]):
        with JupyterServer(folder, pool=pooled, env={**env, "D2L_KERNEL_POOL_SIZE": str(size)},
                           log=logs / f"three-{size}.log") as server:
            if pooled:
                wait_pool(server, size)
            log(f"{kernel}: three at once (pool {size})")
            with ThreadPoolExecutor(len(three)) as ex:
                out["three"][str(size)] = list(ex.map(
                    lambda n: one_notebook(server, folder / n, kernel), three))
    return out


def pytorch_memory(env: dict) -> float:
    """RSS of a PyTorch kernel after `import torch` (its notebooks' first cell)."""
    from jupyter_client.manager import KernelManager
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        km = KernelManager(kernel_name="pytorch")
        km.start_kernel(cwd=str(PYTORCH))
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        kc.execute_interactive("import torch\nfrom torch import nn", timeout=300)
        rss = tree_rss_mb(km.provisioner.pid)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        return rss
    finally:
        os.environ.clear()
        os.environ.update(saved)


def summary(runs: list[dict]) -> dict:
    cells = [c for r in runs for c in r["cells_s"]]
    return {"median_cell_s": statistics.median(cells) if cells else None,
            "p95_cell_s": sorted(cells)[int(0.95 * (len(cells) - 1))] if cells else None}


def main() -> None:
    out_path = Path(sys.argv[1])
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    jp = pytorch_kernelspec(Path(tempfile.mkdtemp(prefix="bench-kernels-")))
    torch_env = {"JUPYTER_PATH": str(jp)}
    t0 = time.monotonic()
    loads: list[float] = []
    done = threading.Event()

    def sample():
        while not done.wait(10):
            loads.append(os.getloadavg()[0])

    threading.Thread(target=sample, daemon=True).start()
    result = {"rust": side("rust", NOTEBOOKS, names, {}, pooled=True),
              "pytorch": side("pytorch", PYTORCH, names, torch_env, pooled=False)}
    result["pytorch"]["kernel_after_import_rss_mb"] = pytorch_memory(torch_env)
    for s in ("rust", "pytorch"):
        result[s].update(summary(result[s]["chapter"]))
    result["elapsed_s"] = time.monotonic() - t0
    done.set()
    result["cpus"] = os.cpu_count()
    if loads:
        result["load_median"] = statistics.median(loads)
        result["load"] = (f"median {statistics.median(loads):.2f} (min {min(loads):.2f}, "
                          f"max {max(loads):.2f}) over {len(loads)} samples")
    out_path.write_text(json.dumps(result, indent=1))
    log(f"written {out_path}")


if __name__ == "__main__":
    main()
