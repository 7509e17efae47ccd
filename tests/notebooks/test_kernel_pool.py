"""The `rust` kernel as a student meets it, through a real Jupyter server (REST and the kernel
websocket, cells sent at once as "Run All" sends them): warm kernels from the pool
(tools/kernel/pool) that are indistinguishable from fresh ones, restarts, the fallback when no
spare is ready, and errors, panics and interrupts as Jupyter errors (tools/kernel/evcxr-patch)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))
from jupyter_session import (  # noqa: E402
    JupyterServer, NotebookSession, comparable, run_stored_notebook,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTEBOOKS = ROOT / "notebooks"
WARM_TIMEOUT = 1800  # a cold build cache takes minutes
PROBE = "pool_probe.ipynb"  # a notebook path in FIXTURES; the file itself is never written
DEP = ':dep d2l = { path = "../../.." }\nuse d2l::prelude::*;'

# What a fresh kernel and a pooled one must answer alike, cell by cell.
FRESH_PROBE = [
    ":vars",
    'println!("{}", std::env::current_dir().unwrap().display());',
    "let t: Tensor = Tensor::zeros(1)?;",  # no `use` left from the warm-up: an error in both
    DEP,
    "rand(3)?",  # the generator untouched: the default seed's first draws in both
    "let kept = 1;",
    ":vars",
]


# What `:vars` shows in a kernel without variables.
NO_VARIABLES = [("data", (("text/plain", ""),
                          ("text/html", "<table><tr><th>Variable</th><th>Type</th></tr></table>")))]


def pool_status(server: JupyterServer) -> dict:
    [status] = server.get("/d2l-kernel-pool").values()
    return status


def wait_for_spare(server: JupyterServer, timeout: float = WARM_TIMEOUT) -> int:
    """The pid of a ready spare, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = server.get("/d2l-kernel-pool")
        for status in statuses.values():
            if status["ready"]:
                return status["ready"][0][0]
            assert status["failures"] < 3, status
        time.sleep(1)
    raise TimeoutError("the pool did not warm a kernel")


def kernel_pid(session: NotebookSession) -> int:
    [run] = session.run_all(["println!(\"{}\", std::process::id());"], timeout=600)
    # evcxr runs cells in a child of the kernel process: its parent is the kernel.
    child = int(run.outputs[0]["text"].strip())
    with open(f"/proc/{child}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def answers(session: NotebookSession, cells: list[str]) -> list:
    """Each cell's count, status and outputs, the cells run one by one (a failing cell would
    abort the rest of a Run All)."""
    runs = [session.run_all([cell])[0] for cell in cells]
    return [(r.reply.get("execution_count"), r.status, comparable(r.outputs)) for r in runs]


@pytest.fixture(scope="module")
def pooled_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("pool") / "server.log"
    # A student who did not ask for backtraces (RUST_BACKTRACE unset).
    env = {"D2L_KERNEL_POOL_SIZE": "1", "RUST_BACKTRACE": None}
    with JupyterServer(FIXTURES, env=env, log=log) as server:
        yield server


def test_a_pooled_kernel_answers_as_a_fresh_one(pooled_server, tmp_path):
    spare = wait_for_spare(pooled_server)
    with NotebookSession(pooled_server, PROBE) as pooled:
        got = answers(pooled, FRESH_PROBE)
        assert kernel_pid(pooled) == spare, "the kernel was not the pool's spare"
    no_pool = {"D2L_KERNEL_POOL_SIZE": "0", "RUST_BACKTRACE": None}
    with JupyterServer(FIXTURES, pool=False, env=no_pool, log=tmp_path / "fresh.log") as plain:
        with NotebookSession(plain, PROBE) as fresh:
            want = answers(fresh, FRESH_PROBE)
    assert got == want
    counts = [count for count, _, _ in got]
    assert counts == list(range(1, len(FRESH_PROBE) + 1)), "the first cell is [1]"
    assert got[0][2] == NO_VARIABLES, "no variable left from the warm-up"
    assert got[1][2] == [("stream", "stdout", f"{FIXTURES}\n")], "the notebook's folder"
    assert got[2][1] == "error"
    assert got[-1][2] and "kept" in str(got[-1][2])


def test_the_pool_refills_and_a_restart_gives_a_fresh_kernel(pooled_server):
    first = wait_for_spare(pooled_server)
    with NotebookSession(pooled_server, PROBE) as session:
        assert kernel_pid(session) == first
        second = wait_for_spare(pooled_server)
        assert second != first, "the pool refilled with another kernel"
        answers(session, ["let before_restart = 1;"])
        session.restart()
        after = answers(session, [":vars", DEP, "rand(3)?"])
        assert after[0] == (1, "ok", NO_VARIABLES), "a restarted kernel is fresh, counts from [1]"
        assert kernel_pid(session) == second, "the restart took the warm spare"


def test_a_spare_that_died_is_not_handed_out(pooled_server):
    dead = wait_for_spare(pooled_server)
    os.kill(dead, signal.SIGKILL)
    with NotebookSession(pooled_server, PROBE) as session:
        pid = kernel_pid(session)
        assert pid != dead
        assert answers(session, [DEP, "rand(1)?"])[1][1] == "ok"
    assert wait_for_spare(pooled_server) not in (dead, pid)


def test_errors_and_panics_are_jupyter_errors_and_stop_run_all(pooled_server):
    wait_for_spare(pooled_server)
    with NotebookSession(pooled_server, PROBE) as session:
        runs = session.run_all([
            DEP,
            "let net = sequential![Linear::new(4, 8)?, ReLU()];",
            "net.forward(&rand((2, 5))?)?",
            "1 + 1",  # the rest of Run All is aborted, as in Python
        ])
        err = runs[2]
        assert err.status == "error"
        assert [o["output_type"] for o in err.outputs] == ["error"], err.outputs
        out = err.outputs[0]
        assert (out["ename"], out["evalue"]) == (
            "RuntimeError", "addmm: mat1 and mat2 shapes cannot be multiplied (2x5 and 4x8)")
        assert (err.reply["ename"], err.reply["evalue"]) == (out["ename"], out["evalue"])
        assert err.first_output < err.idle, "the error arrived before the kernel was idle"
        assert runs[3].status == "aborted" and runs[3].outputs == []

        [panic] = session.run_all(["net[7]"])
        assert panic.status == "error"
        [out] = panic.outputs
        assert (out["ename"], out["evalue"]) == ("IndexError", "index 7 is out of range")
        assert len(out["traceback"]) == 1, "no backtrace unless RUST_BACKTRACE asks for one"
        [after] = session.run_all(["net.len()"])
        assert after.status == "ok", "variables survive a panic"

        # A variable evcxr cannot keep is evcxr's own message, not one about d2l's `Result<T>`
        # (the prelude's alias, which shadowed the `Result` of the code evcxr checks).
        [closure] = session.run_all(["let f = |x: i32| x + 1;"])
        assert closure.status == "error"
        [out] = closure.outputs
        assert "`f` is a closure, which cannot be persisted" in out["evalue"], out


def test_an_interrupt_says_the_variables_are_gone(pooled_server):
    wait_for_spare(pooled_server)
    with NotebookSession(pooled_server, PROBE) as session:
        session.run_all([DEP, "let x = 1;"])
        [sleeping] = [session.send("std::thread::sleep(std::time::Duration::from_secs(60));")]
        time.sleep(3)
        session.interrupt()
        session.wait([sleeping], timeout=120)
        assert sleeping.status == "error"
        [out] = sleeping.outputs
        assert out["ename"] == "KeyboardInterrupt"
        assert "run the cells above again" in out["evalue"]
        [gone] = session.run_all(["x"])
        assert gone.status == "error"


def test_three_notebooks_opened_at_once_lose_nothing(tmp_path):
    """Three students' worth of "Run All" at the same moment, before any kernel is idle: every
    cell replies ok and every output is the stored one."""
    names = ["1-parameter-access.ipynb", "3-custom-init.ipynb", "4-tied-parameters.ipynb"]
    with JupyterServer(NOTEBOOKS, env={"D2L_KERNEL_POOL_SIZE": "1"},
                       log=tmp_path / "server.log") as server:
        wait_for_spare(server)
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(len(names)) as ex:
            results = list(ex.map(lambda n: run_stored_notebook(server, NOTEBOOKS / n), names))
        for name, (session, runs, cells) in zip(names, results):
            session.close()
            for i, (run, cell) in enumerate(zip(runs, cells)):
                assert run.status == "ok", (name, i, run.reply, run.outputs)
                assert comparable(run.outputs) == comparable(cell["outputs"]), (name, i)
