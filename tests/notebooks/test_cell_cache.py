"""The cells' compile cache (tools/kernel/cell-cache) through a real Jupyter server: a cell that
one kernel compiled is not compiled again by another kernel in another build folder, gives the
same outputs, and its types are the ones later cells (compiled anew) see."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))
from jupyter_session import JupyterServer, NotebookSession, comparable  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Two notebook paths in FIXTURES (one kernel each); the files themselves are never written.
PROBES = ("cell_cache_probe_1.ipynb", "cell_cache_probe_2.ipynb")

CELLS = [
    ':dep d2l = { path = "../../.." }\nuse d2l::prelude::*;',
    "struct Pair {\n    a: i32,\n}",
    "let p = Pair { a: 3 };",
    "p.a",
    "manual_seed(7);\nrand(2)?",
]


def log_lines(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def run(session: NotebookSession, cells: list[str]) -> list:
    runs = [session.run_all([cell], timeout=1200)[0] for cell in cells]
    return [(r.status, comparable(r.outputs)) for r in runs]


def test_a_cell_compiled_once_is_replayed_in_another_kernel(tmp_path):
    cache, log = tmp_path / "cells", tmp_path / "cells.log"
    env = {"D2L_KERNEL_POOL_SIZE": "0", "D2L_CELL_CACHE": str(cache),
           "D2L_CELL_CACHE_LOG": str(log), "RUST_BACKTRACE": None}
    with JupyterServer(FIXTURES, pool=False, env=env, log=tmp_path / "server.log") as server:
        with NotebookSession(server, PROBES[0]) as first:
            want = run(first, CELLS)
            compiled = log_lines(log)
            assert compiled and set(compiled[::2]) == {"miss"}, "a new cache only misses"
            # Opened while the first is still open: another kernel, another build folder.
            with NotebookSession(server, PROBES[1]) as second:
                got = run(second, CELLS)
                replayed = log_lines(log)[len(compiled):]
                assert replayed[::2] == ["hit"] * (len(compiled) // 2), "every compile replayed"
                assert replayed[1::2] == compiled[1::2], "the same compiles, in the same order"
                # A cell never compiled before uses the struct of a replayed cell's library.
                [later] = run(second, ["p.a + 1"])
                # An edited cell compiles anew.
                [edited] = run(second, ["let q = Pair { a: 5 };\nq.a * 2"])
    assert [status for status, _ in want] == ["ok"] * len(CELLS)
    assert got == want
    assert later[0] == "ok" and dict(later[1][0][1])["text/plain"] == "4", later
    assert edited[0] == "ok" and dict(edited[1][0][1])["text/plain"] == "10", edited
    assert "miss" in log_lines(log)[-2:], "the edited cell was compiled"


def test_a_kernel_that_runs_cells_seen_before_needs_no_rust_analyzer(tmp_path):
    """What rust-analyzer said about each cell is kept beside its compile: a second kernel
    running the same cells reads every answer back and never loads rust-analyzer; an edited
    cell loads it, and its variable still has the right type in the cells after it."""
    cache, log = tmp_path / "cells", tmp_path / "analysis.log"
    env = {"D2L_KERNEL_POOL_SIZE": "0", "D2L_CELL_CACHE": str(cache),
           "EVCXR_ANALYSIS_LOG": str(log), "RUST_BACKTRACE": None}
    with JupyterServer(FIXTURES, pool=False, env=env, log=tmp_path / "server.log") as server:
        with NotebookSession(server, PROBES[0]) as first:
            want = run(first, CELLS)
        first_log = log_lines(log)
        stored = sorted(p.name for p in cache.glob("analysis-*.json"))
        with NotebookSession(server, PROBES[1]) as second:
            got = run(second, CELLS)
            second_log = log.read_text().splitlines()[len(first_log) // 2:]
            [edited] = run(second, ["let q = Pair { a: p.a * 5 };"])
            [after] = run(second, ["q.a + 1"])
            edited_log = log.read_text().splitlines()[len(first_log) // 2 + len(second_log):]
    assert [status for status, _ in want] == ["ok"] * len(CELLS)
    assert got == want
    assert "loaded" in first_log and stored, "the first kernel asked rust-analyzer and kept it"
    assert second_log and all(line.startswith("hit ") for line in second_log), second_log
    assert edited_log[0].startswith("miss ") and edited_log[1] == "rust-analyzer loaded", \
        edited_log
    assert edited[0] == "ok" and after[0] == "ok", (edited, after)
    assert dict(after[1][0][1])["text/plain"] == "16", after
