"""tools/kernel/pool without the Rust kernel: the pool's bookkeeping, with ipykernel (seconds to
start) standing in for evcxr. The pool with the real `rust` kernel, through a Jupyter server, is
tested in tests/notebooks/test_kernel_pool.py."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from d2l_kernel_pool import pool as pool_mod
from d2l_kernel_pool.pool import KernelPool, pool_size, warmup_cells

IPYKERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
# Silent requests, as the real warm-up sends them; the kernel must answer them `ok`.
CELLS = ["import os", "warm = 1", "del warm"]


@pytest.fixture
def make_pool():
    pools = []

    def make(size=1, cells=CELLS):
        p = KernelPool(IPYKERNEL, size, cells)
        pools.append(p)
        return p

    yield make
    for p in pools:
        p.close()


def test_size_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(pool_mod.SIZE_ENV, raising=False)
    assert pool_size() == 1
    assert pool_size(default=2) == 2
    monkeypatch.setenv(pool_mod.SIZE_ENV, "3")
    assert pool_size() == 3
    monkeypatch.setenv(pool_mod.SIZE_ENV, "-1")
    assert pool_size() == 0
    monkeypatch.setenv(pool_mod.SIZE_ENV, "many")
    assert pool_size() == 1


def test_the_warm_up_names_the_crate_by_its_absolute_path(tmp_path):
    cells = warmup_cells(tmp_path)
    assert cells[0] == f':dep d2l = {{ path = "{tmp_path}" }}'
    # a typed `let` whose variable is dropped again: no variable is left
    assert cells[1].startswith("let d2l_pool_warmup: d2l::Tensor")
    assert cells[2] == "drop(d2l_pool_warmup);"


def test_a_spare_is_warmed_handed_out_once_and_replaced(make_pool, tmp_path):
    pool = make_pool()
    assert pool.claim(tmp_path) is None, "an empty pool gives nothing (the caller starts one)"
    assert pool.wait_ready(tmp_path, 60)
    spare = pool.claim(tmp_path)
    assert spare is not None and spare.alive()
    assert spare.cwd == str(tmp_path.resolve())
    assert not spare.connection_file.exists(), "the manager writes its own connection file"
    assert pool.wait_ready(tmp_path, 60), "the pool refilled"
    [(pid, _, warmed)] = pool.status()["ready"]
    assert pid != spare.process.pid and warmed > 0
    spare.kill()


def test_a_dead_spare_is_not_handed_out(make_pool, tmp_path):
    pool = make_pool()
    pool.want(tmp_path)
    assert pool.wait_ready(tmp_path, 60)
    [(pid, _, _)] = pool.status()["ready"]
    os.kill(pid, signal.SIGKILL)
    got = pool.claim(tmp_path)
    assert got is None or got.process.pid != pid


def test_spares_follow_the_folder_asked_for_last(make_pool, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    pool = make_pool(size=1)
    pool.want(a)
    assert pool.wait_ready(a, 60)
    pool.want(b)
    assert pool.wait_ready(b, 60)
    folders = [cwd for _, cwd, _ in pool.status()["ready"]]
    assert folders == [str(b.resolve())], "the older folder's spare made room"


def test_a_warm_up_that_fails_is_not_kept_and_the_pool_gives_up(make_pool, tmp_path):
    pool = make_pool(cells=["raise ValueError('no')"])
    pool.want(tmp_path)
    assert not pool.wait_ready(tmp_path, 120)
    assert pool.status()["failures"] >= pool_mod.MAX_FAILURES
    assert pool.status()["ready"] == []


def test_size_zero_starts_nothing(make_pool, tmp_path):
    pool = make_pool(size=0)
    pool.want(tmp_path)
    time.sleep(2)
    assert pool.status()["ready"] == [] and pool.status()["warming"] is None


def test_close_kills_the_spares(make_pool, tmp_path):
    pool = make_pool()
    pool.want(tmp_path)
    assert pool.wait_ready(tmp_path, 60)
    [(pid, _, _)] = pool.status()["ready"]
    pool.close()
    assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_kernel_started_without_a_spare_talks_over_unix_sockets(tmp_path, monkeypatch):
    """Kernels started at the same moment by different servers (a class) took each other's tcp
    ports; a kernel the provisioner starts itself listens on ipc sockets in the user's own folder,
    and keeps them across a restart."""
    import json

    from jupyter_client import KernelManager

    spec = tmp_path / "kernels" / "pool-ipc"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": IPYKERNEL, "display_name": "ipc", "language": "python",
        "metadata": {"kernel_provisioner": {"provisioner_name": "d2l-pool"}}}))
    monkeypatch.setenv("D2L_KERNEL_POOL_SIZE", "0")
    monkeypatch.setenv("D2L_KERNEL_TRANSPORT", "ipc")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    km = KernelManager(kernel_name="pool-ipc")
    km.start_kernel(cwd=str(tmp_path))
    try:
        assert km.transport == "ipc"
        folder = Path(km.ip).parent
        assert folder.stat().st_mode & 0o777 == 0o700 and folder.stat().st_uid == os.getuid()
        assert len(pool_mod.endpoint(km.get_connection_info(), 99999)) < 100, km.ip
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        before = km.ip
        km.restart_kernel(now=True)
        kc.wait_for_ready(timeout=60)
        assert km.ip == before
        reply = kc.execute_interactive("1 + 1", timeout=60)
        assert reply["content"]["status"] == "ok"
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    assert not list(folder.glob(Path(before).name + "-*")), "the sockets are removed"
