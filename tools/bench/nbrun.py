"""Runs notebooks top to bottom in fresh Jupyter kernels and records how long everything takes.

Each run starts a new kernel (as opening a notebook does), runs every code cell in order with
nbclient, and records:
- `kernel_start_s`: from asking for a kernel to its first `kernel_info` reply (for the `rust`
  kernel this includes the launcher filling an empty slot from the warm template);
- `cells_s`: per code cell, from the kernel reporting busy to its reply being complete
  (nbclient's `metadata.execution` timestamps `iopub.status.busy` .. `shell.execute_reply`);
- `kernel_cpu_s`: per code cell, CPU seconds of the kernel process itself (for evcxr: its
  rust-analyzer type inference and bookkeeping; compilers and the code's own run are other
  processes);
- `cell_spans`: the same two moments of each cell, in seconds since the epoch;
- `wall_s`: from asking for the kernel to the last cell's reply (what a person waits for when
  they open the notebook and run all cells).

usage (as a module): run_notebook(path, kernel_name, env={...}) -> dict
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

CELL_TIMEOUT = 1800


def _ts(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@contextmanager
def _environ(env: dict[str, str | None]):
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def load(path: Path, first_cell_prefix: str | None = None):
    """The notebook's code cells (outputs dropped); optionally with a line put before the first
    code cell's source (an evcxr setting such as `:opt 1`)."""
    nb = nbformat.read(str(path), as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"]
    for c in nb.cells:
        c.outputs = []
        c.execution_count = None
        c.metadata.pop("execution", None)
    if first_cell_prefix and nb.cells:
        nb.cells[0].source = first_cell_prefix.rstrip("\n") + "\n" + nb.cells[0].source
    return nb


def run_notebook(
    path: Path,
    kernel_name: str,
    env: dict[str, str | None] | None = None,
    first_cell_prefix: str | None = None,
    nb=None,
) -> dict:
    path = Path(path).resolve()
    nb = copy.deepcopy(nb) if nb is not None else load(path, first_cell_prefix)
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT,
        startup_timeout=CELL_TIMEOUT,
        record_timing=True,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    error = None
    cells_done = 0
    kernel_cpu: list[float] = []
    with _environ(env or {}):
        t0 = time.monotonic()
        with client.setup_kernel():
            client.wait_for_reply(client.kc.kernel_info())
            t_ready = time.monotonic()
            pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
            try:
                for index, cell in enumerate(nb.cells):
                    before = _cpu_s(pid)
                    client.execute_cell(cell, index, execution_count=index + 1)
                    kernel_cpu.append(_cpu_s(pid) - before)
                    cells_done += 1
            except (CellExecutionError, CellTimeoutError) as e:
                # nbclient's message ends in a row of dashes; keep the lines that say what failed.
                lines = [ln for ln in str(e).splitlines() if ln.strip().strip("-")]
                error = " | ".join(lines[-4:])[:600] if lines else repr(e)
            t_end = time.monotonic()
    cells, spans = [], []
    for c in nb.cells[:cells_done]:
        m = c.metadata.get("execution", {})
        if "iopub.status.busy" in m and "shell.execute_reply" in m:
            busy, reply = _ts(m["iopub.status.busy"]), _ts(m["shell.execute_reply"])
            cells.append((reply - busy).total_seconds())
            spans.append((busy.timestamp(), reply.timestamp()))
    return {
        "notebook": path.name,
        "kernel": kernel_name,
        "kernel_start_s": t_ready - t0,
        "wall_s": t_end - t0,
        "cells_s": cells,
        "cell_spans": spans,
        "kernel_cpu_s": kernel_cpu,
        "n_cells": len(nb.cells),
        "error": error,
        "sources": [c.source for c in nb.cells],
        "outputs_text": [_text(c) for c in nb.cells[:cells_done]],
    }


def _cpu_s(pid) -> float:
    """CPU seconds used so far by the kernel process itself (not by the compilers it starts)."""
    if pid is None:
        return float("nan")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _text(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif "data" in o:
            parts.append(o["data"].get("text/plain", "") or "<" + ",".join(o["data"]) + ">")
        elif o.get("output_type") == "error":
            parts.append(o.get("ename", "") + ": " + o.get("evalue", ""))
    return "".join(parts)[:2000]
