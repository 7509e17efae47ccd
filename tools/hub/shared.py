"""What every class account shares, made readable to them (stdlib only: `make hub-install` runs
it before the hub's environment exists).

Root's own toolchains live in its home, which other accounts cannot enter: the Rust toolchain
(rustup's, under ~/.rustup) and, on machines where Python was built there (pyenv), Python itself.
Both are hard-linked (no disk; copied if on another filesystem) into ``.cache/hub/``, where every
account can run them. The hub's environment ``.venv-hub`` is made on that Python, and a class
account's processes find its shared library through LD_LIBRARY_PATH (such a Python names its
library folder by an absolute path inside root's home).

    usage: shared.py python    # prints the Python to build .venv-hub with
           shared.py check     # makes the Rust toolchain, checks what students need is readable
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB_CACHE = ROOT / ".cache" / "hub"


def closed_folder(path: Path, within: Path | None = None) -> Path | None:
    """The first folder on the way to ``path`` (``path`` itself included) that other accounts
    cannot enter (no others' x bit), or None; only folders in ``within`` when it is given."""
    for part in [*reversed(path.parents), path]:
        if within is not None and part != within and within not in part.parents:
            continue
        if part.is_dir() and not part.stat().st_mode & 0o001:
            return part
    return None


def others_can_enter(path: Path) -> bool:
    """Whether an account other than the owner can reach ``path``."""
    return closed_folder(path) is None


def hard_link_copy(src: Path, dest: Path) -> Path:
    """``dest`` as a hard-linked copy of the folder ``src`` (a real copy across filesystems),
    redone only when ``src`` changes path."""
    stamp = dest / ".source"
    if stamp.exists() and stamp.read_text() == str(src):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["cp", "-al", str(src), str(dest)]).returncode != 0:
        shutil.rmtree(dest, ignore_errors=True)
        subprocess.run(["cp", "-a", str(src), str(dest)], check=True)
    stamp.write_text(str(src))
    return dest


def shared_python() -> Path:
    """The Python interpreter every account can run: this one, or a hard-linked copy of it."""
    base = Path(sys.base_prefix)
    exe = Path(sys.executable).resolve()
    if others_can_enter(exe.parent):
        return exe
    copy = hard_link_copy(base, HUB_CACHE / "python")
    return copy / exe.relative_to(base)


def python_library_path() -> str | None:
    """The LD_LIBRARY_PATH a class account needs for the shared Python (None: none needed)."""
    lib = HUB_CACHE / "python" / "lib"
    return str(lib) if lib.is_dir() else None


def prepare_shared_build(root: Path = ROOT) -> Path:
    """The toolchain where students can run it: root's rustup toolchain hard-linked (no disk) to
    ``.cache/hub/rust`` (copied if another filesystem). Returns its folder."""
    rustc = shutil.which("rustc") or "rustc"
    sysroot = Path(subprocess.run([rustc, "--print", "sysroot"], check=True,
                                  capture_output=True, text=True).stdout.strip())
    return hard_link_copy(sysroot, root / ".cache" / "hub" / "rust")


def readable_by_students(root: Path = ROOT, *, above_root: bool = True) -> list[str]:
    """Paths students' kernels need that another account cannot read (empty: all good); the
    folders above ``root`` are checked too unless ``above_root`` is false."""
    needed = [root, root / "Cargo.toml", root / "src", root / ".venv-hub" / "bin" / "python",
              root / ".cache" / "evcxr" / "template", root / ".cache" / "cargo",
              root / ".cache" / "rust-analysis-src" / "library",
              root / ".cache" / "evcxr-jupyter" / "bin" / "evcxr_jupyter",
              root / "tools" / "kernel" / "evcxr-kernel"]
    # The cells' compile cache and its program, where `make setup` made them.
    needed += [p for p in (root / ".cache" / "evcxr" / "cells",
                           root / ".cache" / "cell-cache" / "d2l-cell-cache") if p.exists()]
    # A symlink is only as readable as what it points to (a venv's python may point into a home).
    needed += [p.resolve() for p in needed if p.resolve() != p]
    bad = []
    for path in needed:
        closed = closed_folder(path, None if above_root else root)
        if closed is not None:
            bad.append(f"{closed} (others cannot enter it)")
        elif not path.is_dir() and not path.stat().st_mode & 0o004:
            bad.append(f"{path} (others cannot read it)")
    return bad


def main(argv: list[str]) -> int:
    if argv[1:] == ["python"]:
        print(shared_python())
        return 0
    if argv[1:] == ["check"]:
        print("Rust toolchain for the class accounts:", prepare_shared_build())
        bad = readable_by_students()
        if bad:
            print("other accounts cannot read what their kernels need:\n  " + "\n  ".join(bad),
                  file=sys.stderr)
            return 1
        return 0
    print(__doc__.strip().split("usage:")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
