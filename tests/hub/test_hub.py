"""The class hub for real (`make hub`'s hub/jupyterhub_config.py, started by tools/hub/start, as
root): a listed student signs up and logs in through the hub's pages, starts a server through
its API and runs notebook 1 as JupyterLab does, with every output the stored one; their files are
theirs alone; the shared build is read-only to them; their kernel's build folder costs a few MB;
a wrong password and an unlisted name do not get in."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "hub"))
sys.path.insert(0, str(ROOT / "tools" / "kernel"))
import fill_slot  # noqa: E402
import hub_session  # noqa: E402

PREFIX = "d2ltest-"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub makes accounts: root only")


@pytest.fixture(scope="module")
def hub():
    hub_session.delete_accounts(PREFIX)
    hub = hub_session.Hub(["alice", "bob"], ROOT / "build" / "hub-test", PREFIX)
    yield hub
    hub.stop()
    hub_session.delete_accounts(PREFIX)


def as_account(name: str, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", f"--reuid={name}", "--regid=d2l-students", "--init-groups",
                           "bash", "-c", command], capture_output=True, text=True)


def test_a_student_runs_notebook_1_and_gets_the_stored_outputs(hub):
    notebook = ROOT / "notebooks" / "1-parameter-access.ipynb"
    result = hub_session.student_session(hub, "alice", notebook, None)
    assert result["errors"] == [], result
    assert result["not_ok"] == [] and result["mismatched_cells"] == [], result
    assert result["first_result_s"] is not None
    # their server, their kernel and its build ran as their own account
    account = pwd.getpwnam(PREFIX + "alice")
    home = Path(account.pw_dir)
    assert (home / "notebooks" / notebook.name).stat().st_uid == account.pw_uid
    slots = sorted((home / ".cache" / "d2l-evcxr").glob("slot-*[0-9]"))
    assert slots and slots[0].stat().st_uid == account.pw_uid
    own = fill_slot.own_bytes(slots[0]) / 1e6
    assert own < 50, f"the student's build folder holds {own:.0f} MB of its own"


def test_students_cannot_read_each_other_or_write_the_shared_build(hub):
    result = hub_session.student_session(hub, "bob", ROOT / "notebooks" / "2-initialization.ipynb",
                                         None, run=False)
    result["session"].close()
    alice = pwd.getpwnam(PREFIX + "alice").pw_dir
    peek = as_account(PREFIX + "bob", f"ls {alice}/notebooks")
    assert peek.returncode != 0 and "Permission denied" in peek.stderr
    template = ROOT / ".cache" / "evcxr" / "template"
    for target in [template / "Cargo.lock", ROOT / ".cache" / "cargo", ROOT / "src" / "lib.rs"]:
        write = as_account(PREFIX + "bob", f"touch {target}/x 2>&1 || echo > {target}")
        assert write.returncode != 0, target


def test_a_wrong_password_or_an_unlisted_name_does_not_log_in(hub):
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                         hub_session.NoRedirect)
    assert hub_session.form_post(opener, f"{hub.url}/hub/login", jar,
                                 {"username": "alice", "password": "not-her-password"}) == 200
    pw = hub_session.PASSWORD
    hub_session.form_post(opener, f"{hub.url}/hub/signup", jar, {
        "username": "mallory", "signup_password": pw, "signup_password_confirmation": pw})
    # signed up, but not on the class list: waits for a teacher's approval
    assert hub_session.form_post(opener, f"{hub.url}/hub/login", jar,
                                 {"username": "mallory", "password": pw}) == 200
