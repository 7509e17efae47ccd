"""The class's JupyterHub, as hub/jupyterhub_config.py sets it up: settings, accounts, spawner.

The hub itself (and its proxy) runs as root, because it makes each student's Unix account and
starts their server as that account; it runs no code a student sends. Everything a student types
runs in their own server and kernels, as their own Unix account (``d2l-<name>``), with a private
home (mode 700) holding their copy of the notebooks. What every kernel shares is read only to
students: the repository (the `d2l` crate, the Python environment ``.venv-hub`` on the system's
Python, the patched evcxr), the warm build template ``.cache/evcxr/template``, the crates'
sources ``.cache/cargo`` and the Rust toolchain, hard-linked to ``.cache/hub/rust`` (root's own
``~/.rustup`` is not readable by other accounts). A student's kernel builds in slots under
``~/.cache/d2l-evcxr`` that share the template's compiled files (tools/kernel/fill_slot.py:
symlinks, a few MB per slot).
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer, Unicode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shared  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STUDENT_GROUP = "d2l-students"
NAME_PATTERN = r"^[a-z][a-z0-9]{0,23}$"
# The notebooks' first line finds the crate one folder up; a student's copy lives elsewhere.
DEP_RELATIVE = re.compile(r'^(:dep d2l = \{ path = )"\.\."( \})', re.M)


@dataclass
class Settings:
    """hub/settings.toml, with its defaults (see that file for what each one means).

    >>> s = Settings.from_toml('teachers = ["ada"]\\nport = 8010')
    >>> (s.teachers, s.port, s.unix_prefix)
    (['ada'], 8010, 'd2l-')
    """

    ip: str = "127.0.0.1"
    port: int = 8000
    teachers: list[str] = field(default_factory=lambda: ["teacher"])
    students: list[str] = field(default_factory=list)
    unix_prefix: str = "d2l-"
    home_root: str = "/home"
    kernel_pool_size: int = 0
    cull_kernel_idle_minutes: int = 30
    cull_server_idle_minutes: int = 60

    @classmethod
    def from_toml(cls, text: str) -> "Settings":
        data = tomllib.loads(text)
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown setting(s) in the hub's settings: {sorted(unknown)}")
        settings = cls(**data)
        for name in settings.teachers + settings.students:
            if not re.match(NAME_PATTERN, name):
                raise ValueError(f"{name!r} is not a valid account name ({NAME_PATTERN})")
        return settings

    @classmethod
    def load(cls, path: Path) -> "Settings":
        return cls.from_toml(path.read_text())


def student_notebook(source: str, crate: Path) -> str:
    """A notebook's first cell as a student's copy needs it: the crate by its absolute path.

    >>> student_notebook(':dep d2l = { path = ".." }\\nuse d2l::prelude::*;', Path("/srv/d2l"))
    ':dep d2l = { path = "/srv/d2l" }\\nuse d2l::prelude::*;'
    """
    return DEP_RELATIVE.sub(lambda m: f'{m.group(1)}"{crate}"{m.group(2)}', source)


def copy_notebooks(src: Path, dst: Path, crate: Path) -> list[Path]:
    """Copies the notebooks not yet in ``dst`` (a student's edits are never overwritten)."""
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(src.glob("*.ipynb")):
        target = dst / path.name
        if target.exists():
            continue
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = student_notebook(cell.source, crate)
        nbformat.write(nb, str(target))
        copied.append(target)
    return copied


def ensure_account(unix_name: str, home_root: str) -> pwd.struct_passwd:
    """The student's Unix account, made the first time; an account outside the students'
    group (a system account, a teacher's own login) is refused, never used."""
    try:
        grp.getgrnam(STUDENT_GROUP)
    except KeyError:
        subprocess.run(["groupadd", "--system", STUDENT_GROUP], check=True)
    try:
        account = pwd.getpwnam(unix_name)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--base-dir", home_root, "--gid", STUDENT_GROUP,
             "--shell", "/bin/bash", "--comment", "d2l class account", unix_name],
            check=True,
        )
        account = pwd.getpwnam(unix_name)
    if account.pw_gid != grp.getgrnam(STUDENT_GROUP).gr_gid:
        raise PermissionError(f"{unix_name} exists and is not a class account: not used")
    os.chmod(account.pw_dir, 0o700)
    return account


def chown_tree(path: Path, account: pwd.struct_passwd) -> None:
    for dirpath, dirnames, filenames in os.walk(path):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            os.lchown(name, account.pw_uid, account.pw_gid)


def kernel_env(root: Path, home: Path, pool_size: int) -> dict[str, str]:
    """What a student's server passes to its kernels: the shared read-only build, their own
    slots, and the shared toolchain first on PATH."""
    env = {
        "PATH": f"{root}/.cache/hub/rust/bin:{root}/.venv-hub/bin:/usr/local/bin:/usr/bin:/bin",
        "D2L_EVCXR_TEMPLATE": str(root / ".cache" / "evcxr" / "template"),
        "D2L_EVCXR_CACHE": str(home / ".cache" / "d2l-evcxr"),
        "D2L_CARGO_HOME": str(root / ".cache" / "cargo"),
        "D2L_KERNEL_POOL_SIZE": str(pool_size),
    }
    library = shared.python_library_path()
    if library:
        env["LD_LIBRARY_PATH"] = library
    return env


class ClassroomSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that runs each hub user as their own class account ``<prefix><name>``,
    with the notebooks copied into a private home on the first start."""

    unix_prefix = Unicode("d2l-", config=True, help="Prefix of the students' Unix accounts.")
    home_root = Unicode("/home", config=True, help="Where the class accounts' homes are made.")
    kernel_pool_size = Integer(0, config=True, help="Warm spare kernels per student server.")

    @property
    def unix_name(self) -> str:
        return self.unix_prefix + self.user.name

    def make_preexec_fn(self, name):
        return super().make_preexec_fn(self.unix_name)

    def user_env(self, env):
        account = pwd.getpwnam(self.unix_name)
        env["USER"] = env["LOGNAME"] = self.unix_name
        env["HOME"] = account.pw_dir
        env["SHELL"] = account.pw_shell
        env.update(kernel_env(ROOT, Path(account.pw_dir), self.kernel_pool_size))
        return env

    async def start(self):
        account = ensure_account(self.unix_name, self.home_root)
        home = Path(account.pw_dir)
        notebooks = home / "notebooks"
        copy_notebooks(ROOT / "notebooks", notebooks, ROOT)
        chown_tree(home, account)
        self.notebook_dir = str(notebooks)
        return await super().start()


def main(argv: list[str]) -> int:
    """``classroom.py copy-notebooks DEST``: a student's copy of the notebooks into DEST (the
    container image's start hook; the hub's spawner does the same itself)."""
    if len(argv) == 3 and argv[1] == "copy-notebooks":
        for path in copy_notebooks(ROOT / "notebooks", Path(argv[2]), ROOT):
            print(path)
        return 0
    print("usage: classroom.py copy-notebooks DEST", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
