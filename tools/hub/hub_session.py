"""A JupyterHub driven as a class would drive it: a browser's sign-up and login forms, the hub's
REST API, and each student's own server through the hub (REST and the kernel websocket, via
tools/nbtest/jupyter_session.py). Used by `make classroom-bench` and by tests/hub.

``Hub`` starts the class hub (tools/hub/start) with a settings file, a database and an API token
of its own, on a free loopback port, so a teacher's hub is never touched.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from websocket import WebSocketException

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))
from jupyter_session import (  # noqa: E402
    NotebookSession, _source, comparable, free_port, json_request)

PASSWORD = "a-long-class-password-" + secrets.token_hex(4)


def delete_accounts(prefix: str) -> None:
    """Removes every Unix account whose name starts with ``prefix``, its processes and home (the
    accounts a bench or test hub made)."""
    for account in pwd.getpwall():
        if account.pw_name.startswith(prefix):
            subprocess.run(["pkill", "-KILL", "-u", account.pw_name], check=False)
            subprocess.run(["userdel", "--remove", account.pw_name], check=False,
                           stderr=subprocess.DEVNULL)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Hub:
    """The bench's own hub process and its API."""

    def __init__(self, students: list[str], out: Path, prefix: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.state = out / "state"
        shutil.rmtree(self.state, ignore_errors=True)
        settings = out / "settings.toml"
        settings.write_text(
            f'ip = "127.0.0.1"\nport = {self.port}\nteachers = ["benchteacher"]\n'
            f"students = {json.dumps(students)}\nunix_prefix = \"{prefix}\"\n"
            "kernel_pool_size = 0\ncull_kernel_idle_minutes = 120\ncull_server_idle_minutes = 120\n")
        env = {**os.environ, "D2L_HUB_SETTINGS": str(settings), "D2L_HUB_STATE": str(self.state),
               "D2L_HUB_BENCH_TOKEN": self.token}
        self.log_file = open(out / "hub.log", "w")
        self.process = subprocess.Popen([str(ROOT / "tools" / "hub" / "start")], env=env,
                                        stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 300
        while True:
            try:
                self.api("GET", "/")
                break
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the hub did not start: see {out / 'hub.log'}")
                time.sleep(1)

    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        return json_request(f"{self.url}/hub/api{path}", token or self.token, method, body)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, 9)
        self.log_file.close()


class UserServer:
    """A student's single-user server behind the hub, as NotebookSession needs it."""

    def __init__(self, hub: Hub, name: str, token: str):
        self.url = f"{hub.url}/user/{name}"
        self.ws_url = f"ws://127.0.0.1:{hub.port}/user/{name}"
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None):
        return json_request(self.url + path, self.token, method, body)


def form_post(opener, url: str, jar, fields: dict) -> int:
    """Posts a hub form as a browser does: the page first (its _xsrf cookie), then the form."""
    try:
        opener.open(url, timeout=120).read()
    except urllib.error.HTTPError:
        pass
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
    data = urllib.parse.urlencode({**fields, "_xsrf": xsrf}).encode()
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=120) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def student_session(hub: Hub, name: str, notebook: Path, barrier: threading.Barrier | None,
                    hold: threading.Event | None = None, run: bool = True) -> dict:
    """One student: sign up, log in, start the server, open a notebook, run it (or hold it open)."""
    result: dict = {"student": name, "notebook": notebook.name, "errors": []}
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    if barrier:
        barrier.wait()
    t0 = time.monotonic()
    form_post(opener, f"{hub.url}/hub/signup", jar, {
        "username": name, "signup_password": PASSWORD, "signup_password_confirmation": PASSWORD})
    status = form_post(opener, f"{hub.url}/hub/login", jar,
                       {"username": name, "password": PASSWORD})
    if status not in (302, 303):
        result["errors"].append(f"login answered {status}")
        return result
    result["logged_in_s"] = time.monotonic() - t0
    token = hub.api("POST", f"/users/{name}/tokens", {"expires_in": 7200,
                                                      "note": "classroom-bench"})["token"]
    try:
        hub.api("POST", f"/users/{name}/server", {}, token=token)
    except urllib.error.HTTPError as err:
        if err.code != 400:  # 400: already running
            raise
    while not hub.api("GET", f"/users/{name}")["servers"].get("", {}).get("ready"):
        if time.monotonic() - t0 > 600:
            result["errors"].append("server not ready in 600 s")
            return result
        time.sleep(0.5)
    result["server_ready_s"] = time.monotonic() - t0
    server = UserServer(hub, name, token)
    # The student's own copy, as JupyterLab loads it from their server.
    model = server.request("GET", f"/api/contents/{urllib.parse.quote(notebook.name)}")
    cells = [c for c in model["content"]["cells"] if c["cell_type"] == "code"]
    result["cells"] = cells
    session = NotebookSession(server, notebook.name)
    result["kernel_open_s"] = time.monotonic() - t0
    if hold is not None:
        hold.wait()
    if not run:
        result["session"] = session
        return result
    out = run_cells(session, cells, t0)
    result["errors"] += out.pop("errors", [])
    result.update(out)
    session.close()
    return result


# A notebook that has not answered in this long is recorded as lost, not waited for.
NOTEBOOK_TIMEOUT = float(os.environ.get("D2L_CLASS_NOTEBOOK_TIMEOUT", 900))


def run_cells(session: NotebookSession, cells: list[dict], t0: float) -> dict:
    start = time.monotonic()
    try:
        runs = session.run_all([_source(c) for c in cells], timeout=NOTEBOOK_TIMEOUT)
    except (TimeoutError, OSError, WebSocketException) as err:  # a lost kernel is an error
        runs = list(session.runs.values())
        answered = [r for r in runs if r.done]
        return {"errors": [f"{session.path}: {type(err).__name__}: {err}"],
                "cells_unanswered": len(cells) - len(answered),
                "not_ok": [i for i, r in enumerate(runs) if r.done and r.status != "ok"],
                "mismatched_cells": [], "cell_latencies_s": [], "first_result_s": None}
    firsts = [r.first_output for r in runs if r.first_output is not None]
    latencies, ready = [], start
    for r in runs:
        latencies.append(r.replied - max(ready, r.sent))
        ready = r.idle
    mismatched = [i for i, (r, c) in enumerate(zip(runs, cells))
                  if comparable(r.outputs) != comparable(c.get("outputs", []))]
    return {
        "first_result_s": (min(firsts) - t0) if firsts else None,
        "first_result_from_run_s": (min(firsts) - start) if firsts else None,
        "cell_latencies_s": latencies,
        "not_ok": [i for i, r in enumerate(runs) if r.status != "ok"],
        "mismatched_cells": mismatched,
        "run_all_s": max(r.idle for r in runs) - start,
    }
