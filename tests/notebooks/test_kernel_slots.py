"""Kernels open at the same time build in separate folders (tools/kernel/evcxr-kernel), each
sharing the warm template's compiled dependencies instead of copying them."""

from __future__ import annotations

import os
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "kernel"))
import fill_slot  # noqa: E402

# A slot's own disk apart from the cells' libraries: its copies of what cargo rewrites, a few MB
# (the template itself is ~0.8 GB; a dependency rebuilt in the slot would be tens of MB). The
# cells' libraries (`libcode_N.so`, the `ctx` crate) are left out: evcxr writes one per cell, and
# a slot that an earlier kernel used for a whole notebook still holds that kernel's.
SLOT_OWN_MB = 50
FIXTURES = Path(__file__).resolve().parent / "fixtures"

FIRST = ':dep d2l = { path = "../../.." }\nuse d2l::prelude::*;\nmanual_seed(0);'
# Seeds again before drawing, so that asking twice shows the same line.
SHOW = (
    "manual_seed(0);\n"
    'println!("{} {:?}", std::env::var("EVCXR_TMPDIR").unwrap_or_default(), rand(2)?.to_vec()?);'
)


def run(kc, code: str) -> str:
    out = []

    def keep(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=1800, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def show(kc) -> str:
    # The kernel sends everything a cell printed before the cell's reply and idle status
    # (tools/kernel/build-evcxr), even with two kernels building at the same time.
    return run(kc, SHOW)


def test_kernels_open_at_once_get_their_own_build_folder():
    # A student who did not ask for backtraces: the cells' library files are deleted once loaded.
    env = {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}
    started = time.time()
    kernels = [
        start_new_kernel(kernel_name="rust", cwd=str(FIXTURES), startup_timeout=600, env=env)
        for _ in range(2)
    ]
    try:
        # both kernels build and run at the same time
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda k: run(k[1], FIRST), kernels))
            shown = list(pool.map(lambda k: show(k[1]), kernels))
    finally:
        for km, kc in kernels:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert all(s.strip() for s in shown), shown
    folders = [s.split()[0] for s in shown]
    assert folders[0] != folders[1], shown
    for folder in folders:
        assert Path(folder).parent == ROOT / ".cache" / "evcxr", folder
        assert Path(folder).name.startswith("slot-"), folder
    # and each kernel has its own random stream, both seeded with 0
    draws = [s.split(maxsplit=1)[1] for s in shown]
    assert draws[0] == draws[1], shown
    # the dependencies were not rebuilt in the slots: they are still the template's files
    for folder in folders:
        own = own_bytes_but_cells(Path(folder)) / 1e6
        assert own < SLOT_OWN_MB, f"{folder} holds {own:.0f} MB of its own"
        # and the cells' libraries do not pile up: none written by these kernels is left (an
        # earlier kernel of the slot with RUST_BACKTRACE set may have left its own)
        left = sorted(p.name for p in Path(folder).glob("target/*/debug/libcode_*.so")
                      if p.stat().st_mtime >= started - 1)
        assert left == [], f"{folder} keeps {left}"


def own_bytes_but_cells(slot: Path) -> int:
    """fill_slot.own_bytes without the files of evcxr's cell crate."""
    cells = 0
    for path in slot.rglob("*"):
        rel = path.relative_to(slot)
        if any(part.startswith(fill_slot.CELL_CRATE_PREFIXES) for part in rel.parts):
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
                cells += st.st_size
    return fill_slot.own_bytes(slot) - cells
