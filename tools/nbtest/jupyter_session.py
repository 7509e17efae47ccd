"""A notebook run the way JupyterLab runs it: through a real Jupyter server, over REST and the
kernel websocket, every cell sent at once as "Run All" sends them.

- `JupyterServer`: starts `jupyter server` from the project's .venv on a free loopback port with
  a token, in a root folder of your choice (with the kernel pool's server extension on unless
  told otherwise), and stops it.
- `NotebookSession`: opens a notebook (POST /api/sessions, so the server starts its kernel in the
  notebook's folder), connects to the kernel's websocket, sends cells, and collects what comes
  back for each cell: its outputs as nbformat stores them, its reply, and when each arrived.
- `comparable(outputs)`: outputs reduced to what a notebook test compares (stream text, text and
  SVG data, error class and message).

Used by the notebook tests (tests/notebooks) and the benchmark (tools/bench).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def json_request(url: str, token: str, method: str, body: dict | None = None,
                 timeout: float = 600) -> dict | list | None:
    """One REST call to a Jupyter server or hub with a token: the JSON answer, None when empty."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        text = resp.read()
    return json.loads(text) if text else None


class JupyterServer:
    """A `jupyter server` on 127.0.0.1 for the duration of a `with` block."""

    def __init__(self, root_dir: Path, *, pool: bool = True, env: dict | None = None,
                 args: list[str] | None = None, log: Path | None = None):
        self.root_dir = Path(root_dir).resolve()
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.pool = pool
        # a value None removes the variable
        merged = {**os.environ, **(env or {})}
        self.env = {k: v for k, v in merged.items() if v is not None}
        self.args = args or []
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> JupyterServer:
        cmd = [
            str(VENV_BIN / "jupyter"), "server", "--no-browser",
            f"--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            # no output rate limit: a notebook's plots come faster than the default allows
            "--ZMQChannelsWebsocketConnection.limit_rate=False",
        ]
        if os.getuid() == 0:
            cmd.append("--ServerApp.allow_root=True")
        if self.pool:
            cmd.append("--ServerApp.jpserver_extensions=d2l_kernel_pool=True")
        cmd += self.args
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=out,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/api/status")
                return self
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter server did not start (log: {self.log})")
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the server shuts its kernels down, the pool its spares
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()

    @property
    def ws_url(self) -> str:
        """Where the kernels' websockets are (`url` with the ws scheme)."""
        return "ws" + self.url.removeprefix("http")

    def request(self, method: str, path: str, body: dict | None = None) -> dict | list | None:
        return json_request(self.url + path, self.token, method, body)

    def get(self, path: str):
        return self.request("GET", path)


@dataclass
class CellRun:
    """What came back for one cell."""

    code: str
    msg_id: str
    sent: float
    outputs: list = field(default_factory=list)
    busy: float | None = None
    first_output: float | None = None
    reply: dict | None = None
    replied: float | None = None
    idle: float | None = None

    @property
    def status(self) -> str | None:
        return None if self.reply is None else self.reply.get("status")

    @property
    def done(self) -> bool:
        return self.reply is not None and self.idle is not None


class NotebookSession:
    """A notebook opened in a `JupyterServer`: its kernel and websocket."""

    def __init__(self, server: JupyterServer, path: str, kernel_name: str = "rust"):
        self.server = server
        self.path = path
        self.opened = time.monotonic()
        session = server.request("POST", "/api/sessions", {
            "path": path, "type": "notebook", "name": Path(path).name,
            "kernel": {"name": kernel_name},
        })
        self.session_id = session["id"]
        self.kernel_id = session["kernel"]["id"]
        self.client_session = uuid.uuid4().hex
        self.ws = self._connect()
        self.runs: dict[str, CellRun] = {}
        self.statuses: list[tuple[float, str]] = []

    def _connect(self) -> websocket.WebSocket:
        return websocket.create_connection(
            f"{self.server.ws_url}/api/kernels/{self.kernel_id}/channels"
            f"?session_id={self.client_session}",
            header=[f"Authorization: token {self.server.token}"], timeout=600,
        )

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.server.request("DELETE", f"/api/sessions/{self.session_id}")

    def __enter__(self) -> NotebookSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, code: str, *, stop_on_error: bool = True) -> CellRun:
        """Sends one execute request (without waiting, as JupyterLab does)."""
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "student",
                       "session": self.client_session, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False,
                        "stop_on_error": stop_on_error},
        }
        run = CellRun(code=code, msg_id=msg_id, sent=time.monotonic())
        self.runs[msg_id] = run
        self.ws.send(json.dumps(msg))
        return run

    def run_all(self, cells: list[str], timeout: float = 1800) -> list[CellRun]:
        """Sends every cell at once, then waits until each has its reply and its idle status."""
        runs = [self.send(code) for code in cells]
        self.wait(runs, timeout)
        return runs

    def wait(self, runs: list[CellRun], timeout: float = 1800) -> None:
        deadline = time.monotonic() + timeout
        while not all(r.done for r in runs):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.path}: {sum(not r.done for r in runs)} cells unanswered")
            self.ws.settimeout(left)
            self._receive(json.loads(self.ws.recv()))

    def _receive(self, msg: dict) -> None:
        now = time.monotonic()
        kind = msg.get("msg_type") or msg["header"]["msg_type"]
        content = msg.get("content", {})
        if kind == "status" and not msg.get("parent_header"):
            self.statuses.append((now, content.get("execution_state")))
        run = self.runs.get(msg.get("parent_header", {}).get("msg_id"))
        if run is None:
            return
        if kind == "execute_reply":
            run.reply, run.replied = content, now
        elif kind == "status" and content.get("execution_state") == "idle":
            run.idle = now
        elif kind == "status" and content.get("execution_state") == "busy":
            run.busy = now
        elif kind in ("stream", "execute_result", "display_data", "error"):
            if run.first_output is None:
                run.first_output = now
            output = {"output_type": kind, **{k: v for k, v in content.items()
                                               if k not in ("execution_count", "transient")}}
            last = run.outputs[-1] if run.outputs else None
            if (kind == "stream" and last and last["output_type"] == "stream"
                    and last["name"] == output["name"]):
                last["text"] += output["text"]
            else:
                run.outputs.append(output)

    def interrupt(self) -> None:
        self.server.request("POST", f"/api/kernels/{self.kernel_id}/interrupt")

    def restart(self) -> None:
        """Restarts the kernel, then reconnects the websocket, as JupyterLab does (a restarted
        kernel may listen on other ports)."""
        self.server.request("POST", f"/api/kernels/{self.kernel_id}/restart")
        self.ws.close()
        self.ws = self._connect()


def notebook_cells(path: Path) -> list[dict]:
    """The notebook's code cells as stored (source and outputs)."""
    nb = json.loads(Path(path).read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(value) -> str:
    """nbformat stores text either as one string or as a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def _source(cell: dict) -> str:
    return _text(cell["source"])


COMPARED_MIME = ("text/plain", "text/html", "image/svg+xml")


def comparable(outputs: list[dict]) -> list:
    """The parts of outputs that a stored notebook and a fresh run must share."""
    out = []
    for o in outputs:
        kind = o["output_type"]
        if kind == "stream":
            text = _text(o["text"])
            if out and out[-1][0] == "stream" and out[-1][1] == o["name"]:
                out[-1] = ("stream", o["name"], out[-1][2] + text)
            else:
                out.append(("stream", o["name"], text))
        elif kind in ("execute_result", "display_data"):
            data = o.get("data", {})
            out.append(("data", tuple(
                (m, _text(data[m]))
                for m in COMPARED_MIME if m in data)))
        elif kind == "error":
            out.append(("error", o.get("ename"), o.get("evalue")))
    return out


def run_stored_notebook(server: JupyterServer, path: Path, kernel_name: str = "rust",
                        timeout: float = 1800) -> tuple[NotebookSession, list[CellRun], list]:
    """Opens the notebook at `path` (inside the server's root), runs all its code cells at once,
    and returns the session, the runs and the stored cells. The caller closes the session."""
    rel = Path(path).resolve().relative_to(server.root_dir).as_posix()
    cells = notebook_cells(path)
    session = NotebookSession(server, rel, kernel_name)
    runs = session.run_all([_source(c) for c in cells], timeout=timeout)
    return session, runs, cells
