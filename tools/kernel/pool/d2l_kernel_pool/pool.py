"""The pool itself: evcxr kernels started ahead of time, warmed, handed out one by one.

A spare is a `rust` kernel process (tools/kernel/evcxr-kernel, as the kernelspec starts it) with
its own connection file, started in the folder a notebook will run in. Warming it sends, as silent
requests that Jupyter does not count, what makes a first cell slow: the `:dep` on this repository's
crate (cargo resolves and loads the build) and a typed `let` whose variable is then dropped (the
first compile and load of a cell that uses the crate; `make setup` stores both requests' compiles
and rust-analyzer's answers about them, so a spare loads no rust-analyzer). After that it holds no
variable and no `use`, its random generator has not been touched, and its next cell is [1]: it is
what a fresh kernel would be, but answers in about a second.

One pool lives in each process that starts kernels (a Jupyter server, an nbval run); a thread of
its own starts and warms spares, so that the pool fills while the process waits for other things.
Spares are kept for the folder asked for most recently; when a kernel is taken, the pool refills.
A spare that died is thrown away, never handed out. The pool's kernels end with the process: at
exit they are killed, and each is started with a parent-death signal, so that not even a killed
server leaves one behind.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_core.paths import jupyter_runtime_dir

log = logging.getLogger("d2l_kernel_pool")

#: Environment variable: how many warm spare kernels a process keeps (0: no pool).
SIZE_ENV = "D2L_KERNEL_POOL_SIZE"
DEFAULT_SIZE = 1
#: Environment variable: the kernels' ZeroMQ transport, "tcp" (default) or "ipc". ipc is not the
#: default: evcxr's zeromq (zmq.rs 0.6) ended a kernel with "Codec Error: Broken pipe" when the
#: server's short-lived sockets closed, in the three-notebooks-at-once test.
TRANSPORT_ENV = "D2L_KERNEL_TRANSPORT"
#: The five ports of a kernel's connection info.
PORTS = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")


def transport() -> str:
    """The transport kernels that are not the pool's are started with. ipc (Unix sockets, files
    `IP-PORT` in a folder only the user can open) needs no ports: with tcp each kernel's five
    ports are picked free and bound a moment later by the kernel, and kernels started at the same
    moment by different processes (a class's servers) took each other's ports ("Address already
    in use", "MAC tag mismatch")."""
    value = os.environ.get(TRANSPORT_ENV, "tcp")
    return value if value in ("ipc", "tcp") else "tcp"


def ipc_ip() -> str:
    """A new, short `ip` for an ipc kernel: a Unix socket's path is limited to about 100 bytes,
    too few for a connection file's folder in some homes, so the sockets live in the user's own
    folder under the temporary directory."""
    folder = Path(tempfile.gettempdir()) / f"d2l-kernels-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise RuntimeError(f"{folder} is not the user's own folder")
    return str(folder / uuid.uuid4().hex[:12])


def endpoint(info: dict, port: int) -> str:
    """The ZeroMQ address of `port` of the kernel that `info` (connection info) describes."""
    if info["transport"] == "ipc":
        return f"ipc://{info['ip']}-{port}"
    return f"{info['transport']}://{info['ip']}:{port}"
#: How long warming one kernel may take before it is given up (a cold build takes minutes).
WARMUP_TIMEOUT = 1800.0
#: After this many failed warm-ups in a row the pool stops trying (kernels start as without it).
MAX_FAILURES = 3


def pool_size(default: int = DEFAULT_SIZE) -> int:
    """The number of spares to keep: `D2L_KERNEL_POOL_SIZE`, else `default`."""
    value = os.environ.get(SIZE_ENV, "").strip()
    if not value:
        return default
    try:
        return max(0, int(value))
    except ValueError:
        log.warning("%s=%r is not a number; using %d", SIZE_ENV, value, default)
        return default


def warmup_cells(crate_root: Path) -> list[str]:
    """The silent requests that warm a kernel. The `:dep` names the crate by its absolute path,
    as evcxr resolves a notebook's `path = ".."`, so that the notebook's own `:dep` finds the
    dependency already there and changes nothing."""
    return [
        f':dep d2l = {{ path = "{crate_root}" }}',
        "let d2l_pool_warmup: d2l::Tensor = d2l::Tensor::zeros((1, 1))?;",
        "drop(d2l_pool_warmup);",
    ]


@dataclass
class Spare:
    """A started kernel: its process, connection and folder."""

    process: subprocess.Popen
    connection_file: Path
    connection_info: dict
    cwd: str
    started: float = field(default_factory=time.monotonic)
    warmed_in: float | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def answers(self, timeout: float = 1.0) -> bool:
        """Alive, and its heartbeat answers (a kernel killed a moment ago may not have exited)."""
        if not self.alive():
            return False
        import zmq

        info = self.connection_info
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.REQ)
        sock.linger = 0
        try:
            sock.connect(endpoint(info, info["hb_port"]))
            sock.send(b"ping")
            return bool(sock.poll(int(timeout * 1000))) and self.alive()
        finally:
            sock.close()

    def kill(self) -> None:
        """Kills the kernel's process group (evcxr and the process that runs the cells)."""
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.connection_file.unlink(missing_ok=True)
        if self.connection_info.get("transport") == "ipc":
            for port in PORTS:
                Path(f"{self.connection_info['ip']}-{self.connection_info[port]}").unlink(
                    missing_ok=True)


class KernelPool:
    """Warm `rust` kernels for one process. Use `KernelPool.get(argv)`."""

    _instances: dict[tuple, KernelPool] = {}
    _instances_lock = threading.Lock()

    def __init__(self, argv: list[str], size: int, cells: list[str] | None = None):
        self.argv = list(argv)
        self.size = size
        launcher = Path(self.argv[0]).resolve()
        self.cells = cells if cells is not None else warmup_cells(launcher.parents[2])
        # One key for every kernel of the pool, so that a notebook's connection keeps its key
        # when a restart gives it another spare.
        self.key = secrets.token_hex(32).encode()
        self._lock = threading.Condition()
        self._ready: list[Spare] = []
        self._warming: Spare | None = None
        self._wanted: list[str] = []  # folders, most recent last
        self._failures = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="d2l-kernel-pool", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    # ------------------------------------------------------------------ public

    @classmethod
    def get(cls, argv: list[str], size: int | None = None) -> KernelPool:
        """The process's pool for kernels started with `argv` (created at the first call)."""
        key = tuple(argv)
        with cls._instances_lock:
            pool = cls._instances.get(key)
            if pool is None or pool._closed:
                pool = cls(argv, pool_size() if size is None else size)
                cls._instances[key] = pool
            return pool

    def want(self, cwd: str | os.PathLike) -> None:
        """Keep spares for kernels that will run in `cwd` (the most recent folder wins)."""
        cwd = str(Path(cwd).resolve())
        with self._lock:
            if cwd in self._wanted:
                self._wanted.remove(cwd)
            self._wanted.append(cwd)
            self._lock.notify_all()

    def claim(self, cwd: str | os.PathLike) -> Spare | None:
        """A warm kernel for `cwd`, or None (then the caller starts one as usual). Either way
        the pool then fills again for `cwd`."""
        cwd = str(Path(cwd).resolve())
        self.want(cwd)
        with self._lock:
            for spare in list(self._ready):
                if spare.cwd != cwd:
                    continue
                self._ready.remove(spare)
                if spare.answers():
                    self._lock.notify_all()
                    spare.connection_file.unlink(missing_ok=True)
                    return spare
                log.warning("pooled kernel %d died while waiting; not handed out", spare.process.pid)
                spare.kill()
            self._lock.notify_all()
        return None

    def wait_ready(self, cwd: str | os.PathLike, timeout: float) -> bool:
        """Waits until a warm kernel for `cwd` is ready (for tests and benchmarks)."""
        cwd = str(Path(cwd).resolve())
        deadline = time.monotonic() + timeout
        with self._lock:
            while not any(s.cwd == cwd and s.alive() for s in self._ready):
                left = deadline - time.monotonic()
                if left <= 0 or self._closed or self._failures >= MAX_FAILURES:
                    return False
                self._lock.wait(min(left, 1.0))
            return True

    def status(self) -> dict:
        """What the pool holds now (pids, folders), for tests and logs."""
        with self._lock:
            return {
                "size": self.size,
                "ready": [(s.process.pid, s.cwd, s.warmed_in) for s in self._ready],
                "warming": None if self._warming is None else self._warming.process.pid,
                "failures": self._failures,
            }

    def close(self) -> None:
        """Kills every spare (a kernel already handed out belongs to its manager)."""
        with self._lock:
            self._closed = True
            spares, self._ready = self._ready, []
            warming = self._warming
            self._lock.notify_all()
        for spare in spares + ([warming] if warming else []):
            spare.kill()

    # ------------------------------------------------------------------ the thread

    def _next_folder(self) -> str | None:
        """The folder to warm a spare for, or None; evicts spares of older folders for room."""
        if self._closed or self.size <= 0 or self._failures >= MAX_FAILURES or not self._wanted:
            return None
        for dead in [s for s in self._ready if not s.alive()]:
            self._ready.remove(dead)
            dead.kill()
        for cwd in reversed(self._wanted):
            have = sum(1 for s in self._ready if s.cwd == cwd)
            if have >= self.size:
                return None
            if len(self._ready) < self.size:
                return cwd
            # Full with spares for other folders: the oldest folder's spare makes room.
            for old in self._wanted:
                victims = [s for s in self._ready if s.cwd == old]
                if old != cwd and victims:
                    self._ready.remove(victims[0])
                    victims[0].kill()
                    return cwd
            return None
        return None

    def _run(self) -> None:
        while True:
            with self._lock:
                cwd = self._next_folder()
                while cwd is None and not self._closed:
                    self._lock.wait(1.0)
                    cwd = self._next_folder()
                if self._closed:
                    return
            try:
                spare = self._start(cwd)
            except Exception:  # noqa: BLE001 - a pool that cannot start kernels gives none
                log.exception("could not start a pooled kernel")
                with self._lock:
                    self._failures += 1
                continue
            with self._lock:
                self._warming = spare
            ok = self._warm(spare)
            with self._lock:
                self._warming = None
                if ok and not self._closed and spare.alive():
                    self._failures = 0
                    self._ready.append(spare)
                    self._lock.notify_all()
                    continue
                self._failures += 1
            spare.kill()

    def _start(self, cwd: str) -> Spare:
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        path = runtime / f"kernel-d2l-pool-{uuid.uuid4()}.json"
        _, info = write_connection_file(
            str(path), ip="127.0.0.1", key=self.key, transport="tcp",
            signature_scheme="hmac-sha256", kernel_name="rust",
        )
        argv = [a.replace("{connection_file}", str(path)) for a in self.argv]
        # The kernel dies with this process even when it is killed (the signal is sent when the
        # thread that started the kernel ends, which is this pool's thread: the process's life).
        setpriv = shutil.which("setpriv")
        if setpriv:
            argv = [setpriv, "--pdeathsig", "KILL", "--", *argv]
        # A spare builds in a slot of its own, never in the template (warm-up mode).
        env = {k: v for k, v in os.environ.items() if k != "EVCXR_KERNEL_WARMUP"}
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        info = dict(info)
        if isinstance(info.get("key"), bytes):
            info["key"] = info["key"].decode()
        return Spare(process=process, connection_file=path, connection_info=info, cwd=cwd)

    def _warm(self, spare: Spare) -> bool:
        client = BlockingKernelClient()
        client.load_connection_info(
            {**spare.connection_info, "key": spare.connection_info["key"].encode()}
        )
        # No heartbeat channel: on a loaded machine a kernel that is slow to answer it would be
        # taken for dead; the process itself is watched instead (spare.alive()).
        client.start_channels(hb=False)
        start = time.monotonic()
        try:
            client.wait_for_ready(timeout=120)
            for cell in self.cells:
                msg_id = client.execute(cell, silent=True, store_history=False)
                while True:
                    left = WARMUP_TIMEOUT - (time.monotonic() - start)
                    if left <= 0 or self._closed or not spare.alive():
                        return False
                    try:
                        reply = client.get_shell_msg(timeout=min(left, 1.0))
                    except Exception:  # noqa: BLE001 - queue.Empty: keep waiting
                        continue
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
                if reply["content"].get("status") != "ok":
                    log.warning("pooled kernel warm-up failed at %r: %s", cell,
                                json.dumps(reply["content"])[:500])
                    return False
            spare.warmed_in = time.monotonic() - start
            log.info("pooled kernel %d ready in %.1f s (%s)", spare.process.pid,
                     spare.warmed_in, spare.cwd)
            return True
        except Exception:  # noqa: BLE001
            log.exception("pooled kernel warm-up failed")
            return False
        finally:
            client.stop_channels()
