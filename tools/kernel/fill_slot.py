#!/usr/bin/env python3
"""Fill a kernel's build folder (a "slot") from the warm template, sharing its big files.

A kernel's build folder needs everything cargo built into the template (``.cache/evcxr/template``:
candle, d2l and the rest, ~0.8 GB), but copying it for every kernel costs that much disk and
several seconds. Almost all of it is compiled artifacts (``.rlib``, ``.rmeta``, ``.so``, the
dependencies' incremental caches) that cargo and rustc only ever *read* once built: when they
rebuild one, rustc writes the new file beside it and renames it over the old name, and the
linker unlinks a regular file before writing, so a shared file is never changed through the
slot. Those are shared: hard-linked (no disk at all), or, where the kernel's user may not
hard-link the template's files (``fs.protected_hardlinks``: a JupyterHub student and a template
owned by someone else), symlinked.

Everything that cargo or rustc rewrites *in place* is copied instead, with its times, so that
cargo's freshness checks see what they saw in the template:

- ``.fingerprint/**`` (cargo's hashes and dep-info, rewritten when a unit rebuilds),
- ``*.d`` (rustc's dep-info, truncated and rewritten),
- ``build/*/out/**`` (build scripts write their output files directly),
- the cell crate's own files (``ctx``, ``code_N``: evcxr rebuilds them every cell),
- every file under 64 KiB (lock files, ``.rustc_info.json``, ``Cargo.lock``, sources; ~4 MB).

A slot made this way costs a few MB of disk and fills in well under a second.

    usage: fill_slot.py TEMPLATE SLOT
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
from pathlib import Path

# Files at least this big are shared (hard link or symlink); smaller ones are copied.
SHARE_MIN_BYTES = 64 * 1024
# The cell crate evcxr writes into every build folder (Cargo.toml `name = "ctx"`, libraries
# `code_N`): rebuilt every cell, so never shared.
CELL_CRATE_PREFIXES = ("ctx", "libctx", "code_", "libcode_")


def must_copy(rel: Path, size: int) -> bool:
    """Whether the template file at ``rel`` (relative to the template) is copied, not shared.

    >>> must_copy(Path("target/debug/deps/libcandle_core-1.rlib"), 40_000_000)
    False
    >>> must_copy(Path("target/debug/.fingerprint/candle-1/lib-candle"), 16)
    True
    >>> must_copy(Path("target/debug/deps/candle_core-1.d"), 90_000)
    True
    """
    parts = rel.parts
    if size < SHARE_MIN_BYTES or rel.suffix == ".d" or ".fingerprint" in parts:
        return True
    if "build" in parts and "out" in parts[parts.index("build") :]:
        return True
    return any(part.startswith(CELL_CRATE_PREFIXES) for part in parts)


def share(src: Path, dst: Path, *, allow_hardlink: bool = True) -> str:
    """Shares ``src`` at ``dst``: a hard link when allowed, else a symlink. Returns which."""
    if allow_hardlink:
        try:
            os.link(src, dst)
            return "link"
        except OSError as err:
            # EPERM: fs.protected_hardlinks (src owned by another user); EXDEV: another
            # filesystem; EMLINK: too many links to one file.
            if err.errno not in (errno.EPERM, errno.EACCES, errno.EXDEV, errno.EMLINK):
                raise
    os.symlink(src, dst)
    return "symlink"


def fill(template: Path, slot: Path) -> dict[str, int]:
    """Fills the empty or missing folder ``slot`` from ``template``; returns counts by kind.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     t = Path(d, "t"); (t / "deps").mkdir(parents=True)
    ...     _ = (t / "deps" / "liba.rlib").write_bytes(b"x" * SHARE_MIN_BYTES)
    ...     _ = (t / "Cargo.lock").write_text("# lock")
    ...     counts = fill(t, Path(d, "s"))
    ...     (counts["copy"], counts["link"] + counts["symlink"])
    (1, 1)
    """
    template = template.resolve()
    counts = {"copy": 0, "link": 0, "symlink": 0, "dir": 0}
    allow_hardlink = True
    folders = []
    for dirpath, _, filenames in os.walk(template):
        src_dir = Path(dirpath)
        rel_dir = src_dir.relative_to(template)
        dst_dir = slot / rel_dir
        dst_dir.mkdir(parents=True, exist_ok=True)
        folders.append((src_dir, dst_dir))
        counts["dir"] += 1
        for name in filenames:
            src = src_dir / name
            dst = dst_dir / name
            st = src.lstat()
            if src.is_symlink():
                os.symlink(os.readlink(src), dst)
                counts["symlink"] += 1
            elif must_copy(rel_dir / name, st.st_size):
                try:
                    shutil.copy2(src, dst)
                except PermissionError:
                    if st.st_size:
                        raise
                    # An empty lock file only its owner may read (rustc's incremental
                    # session locks are 0600): what it holds is its name.
                    dst.touch()
                    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
                counts["copy"] += 1
            else:
                kind = share(src, dst, allow_hardlink=allow_hardlink)
                # One refusal means the rest would be refused too: stop asking.
                allow_hardlink = kind == "link"
                counts[kind] += 1
    # Directory times last: creating entries above changed them.
    for src_dir, dst_dir in folders:
        shutil.copystat(src_dir, dst_dir)
    return counts


def own_bytes(slot: Path) -> int:
    """Disk the slot uses for itself: its copied files (shared files count in the template).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     t = Path(d, "t"); t.mkdir()
    ...     _ = (t / "big.rlib").write_bytes(b"x" * SHARE_MIN_BYTES)
    ...     _ = (t / "small").write_bytes(b"y" * 10)
    ...     _ = fill(t, Path(d, "s"))
    ...     own_bytes(Path(d, "s"))
    10
    """
    total = 0
    for dirpath, _, filenames in os.walk(slot):
        for name in filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
                total += st.st_size
    return total


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    template, slot = Path(argv[1]), Path(argv[2])
    if slot.exists() and any(slot.iterdir()):
        print(f"fill_slot.py: {slot} is not empty", file=sys.stderr)
        return 1
    fill(template, slot)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
