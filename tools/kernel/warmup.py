"""Fills the evcxr build cache that every `rust` kernel of this repository starts from.

Runs the first code cell of the notebooks given (`notebooks/*.ipynb` and the test fixtures; one
per distinct set of evcxr commands), each in a fresh kernel working in that notebook's folder as
Jupyter would, but with the kernel building into the template directory `.cache/evcxr/template`
(EVCXR_KERNEL_WARMUP=1, see `evcxr-kernel`). The first time this builds candle and the rest (a
few minutes); later it only rebuilds what changed. When the dependencies' build changed it
writes a new `.stamp`, and kernel slots refresh their copy of the template the next time a
kernel takes them.

Then it runs every cell of the notebooks in notebooks/ once, and the requests that warm a pooled
kernel (tools/kernel/pool), which fills the cells' compile cache (`.cache/evcxr/cells`,
tools/kernel/cell-cache) with their compiles and with what rust-analyzer said about each cell.

usage: python tools/kernel/warmup.py NOTEBOOK...
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "nbtest"))
from execute import client_for  # noqa: E402
from nbcheck import output_problems  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "pool"))
from d2l_kernel_pool.pool import warmup_cells  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = Path(os.environ.get("D2L_EVCXR_CACHE", ROOT / ".cache" / "evcxr")) / "template"
# The cells' compile cache that every kernel reads (tools/kernel/cell-cache; evcxr-kernel).
CELLS = TEMPLATE.parent / "cells"
PROGRAMS = [ROOT / ".cache" / "evcxr-jupyter" / "bin" / "evcxr_jupyter",
            ROOT / ".cache" / "cell-cache" / "d2l-cell-cache"]
PATH_RE = re.compile(r'path\s*=\s*"([^"]+)"')


def first_code_cell(path: Path) -> str | None:
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip():
            return cell.source
    return None


def build_key(source: str, folder: Path) -> str:
    """What decides how the dependencies are built: the cell's evcxr commands (`:dep`, `:opt`,
    ...), with relative `path = "..."` made absolute as evcxr itself does. Cells that differ only
    in Rust code share one build, so one of them is enough."""
    commands = [line.strip() for line in source.splitlines() if line.strip().startswith(":")]
    return "\n".join(
        PATH_RE.sub(lambda m: f'path = "{(folder / m.group(1)).resolve()}"', line)
        for line in commands
    )


def rust_notebook(sources: list[str]):
    """A notebook of `sources` for the `rust` kernel, never written to disk."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "rust", "display_name": "Rust", "language": "rust"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def run_cell(source: str, folder: Path) -> float:
    nb = rust_notebook([source])
    client = client_for(nb, folder, timeout=3600)
    start = time.monotonic()
    done = threading.Event()

    def heartbeat():
        while not done.wait(30):
            print(f"  ... still building ({time.monotonic() - start:.0f} s)", flush=True)

    threading.Thread(target=heartbeat, daemon=True).start()
    try:
        client.execute()
    finally:
        done.set()
    problems = output_problems(nb.cells[0].outputs)
    if problems:
        raise SystemExit(
            f"warm-up cell failed in {folder}:\n  " + "\n  ".join(problems) + "\n" + source
        )
    return time.monotonic() - start


#: A variable evcxr cannot keep: evcxr then runs `cargo check` on the cell for its error messages,
#: which builds every dependency's metadata once (about 25 s and 100 MB in a build folder).
CHECK_CELL = "let d2l_warmup_closure = |x: i32| x;"


def run_check(source: str, folder: Path) -> float:
    """Runs `source` and then CHECK_CELL in a fresh kernel, so that the template also holds what
    `cargo check` builds: a student's first cell that evcxr checks (a closure or a type it cannot
    name in a variable) then takes a second, not half a minute, and adds nothing to their slot."""
    nb = rust_notebook([source, CHECK_CELL])
    start = time.monotonic()
    client_for(nb, folder, timeout=3600).execute()
    errors = [o for o in nb.cells[1].outputs if o.get("output_type") == "error"]
    if output_problems(nb.cells[0].outputs) or not any(
            "closure" in o.get("evalue", "") for o in errors):
        raise SystemExit(f"warm-up check cell did not fail as expected in {folder}: "
                         f"{nb.cells[0].outputs} {nb.cells[1].outputs}")
    return time.monotonic() - start


def dependency_digest() -> str:
    """A digest of the dependency artifacts in the template (not the cells' own crate `ctx`)."""
    h = hashlib.sha256()
    target = TEMPLATE / "target"
    for dirpath, dirnames, filenames in os.walk(target):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("ctx", "libctx")))
        for name in sorted(filenames):
            # cargo's own notes (its cache of `rustc -vV`, rewritten when the environment it
            # runs rustc in changes; its lock file) are not built files.
            if name.startswith(("ctx", "libctx")) or name in (".rustc_info.json", ".cargo-lock"):
                continue
            st = os.lstat(os.path.join(dirpath, name))
            h.update(f"{dirpath}/{name} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def code_cells(path: Path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def cells_digest(notebooks: list[Path]) -> str:
    """What the compiles of the notebooks' cells depend on: the dependencies' build, the kernel
    and the cache programs, and every code cell."""
    h = hashlib.sha256(dependency_digest().encode())
    for program in PROGRAMS:
        st = program.stat()
        h.update(f"{program} {st.st_size} {st.st_mtime_ns}\n".encode())
    for path in notebooks:
        h.update(f"{path.name}\n".encode())
        for source in code_cells(path):
            h.update(f"{len(source)}:{source}".encode())
    for source in warmup_cells(ROOT):
        h.update(f"{len(source)}:{source}".encode())
    return h.hexdigest()


def fill_cells(notebooks: list[Path]) -> None:
    """Runs every cell of `notebooks` once, each notebook in a fresh kernel in the template, so
    that the cells' compile cache (CELLS) holds their compiles: a student's "Run All" of a
    notebook as it is then compiles nothing, and needs no rust-analyzer. The requests that warm a
    pooled kernel run last, in a kernel of their own, so that a spare needs neither.
    Only the compiled code and the analysis are kept, never an output. The cache is emptied
    first whenever what the compiles depend on changed."""
    if not all(p.exists() for p in PROGRAMS):
        print("warm-up: no cell cache program; the cells are not compiled ahead")
        return
    digest = cells_digest(notebooks)
    stamp = CELLS / ".stamp"
    if stamp.exists() and stamp.read_text().strip() == digest:
        print("warm-up: the cells' compile cache is up to date")
        return
    shutil.rmtree(CELLS, ignore_errors=True)
    CELLS.mkdir(parents=True)
    for path in notebooks:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        start = time.monotonic()
        nb = nbformat.read(str(path), as_version=4)
        client_for(nb, path.parent, timeout=3600).execute()
        print(f"warm-up: compiled the cells of {rel} in {time.monotonic() - start:.1f} s",
              flush=True)
    spare = rust_notebook(warmup_cells(ROOT))
    client_for(spare, ROOT / "notebooks", timeout=3600).execute()
    problems = [p for cell in spare.cells for p in output_problems(cell.outputs)]
    if problems:
        raise SystemExit("a pooled kernel's warm-up failed:\n  " + "\n  ".join(problems))
    stamp.write_text(digest + "\n")
    size = sum(f.stat().st_size for f in CELLS.rglob("*") if f.is_file())
    print(f"warm-up: the cells' compile cache holds {size / 2**20:.0f} MB")


def main(paths: list[str]) -> None:
    os.environ["EVCXR_KERNEL_WARMUP"] = "1"
    # Each warm-up kernel is started fresh, into the template; no pool of spares here.
    os.environ["D2L_KERNEL_POOL_SIZE"] = "0"
    seen = set()
    jobs = []
    for p in paths:
        path = Path(p).resolve()
        source = first_code_cell(path)
        if source is None:
            continue
        key = build_key(source, path.parent)
        if key not in seen:
            seen.add(key)
            jobs.append((source, path))
    if not jobs:
        print("warm-up: no notebook to take a first cell from")
        return
    for source, path in jobs:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"warm-up: first cell of {rel} (a cold build of the dependencies takes a few minutes)")
        print("  " + source.strip().replace("\n", "\n  "), flush=True)
        print(f"  done in {run_cell(source, path.parent):.1f} s", flush=True)
        print(f"warm-up: the same with a cell that evcxr checks ({CHECK_CELL})", flush=True)
        print(f"  done in {run_check(source, path.parent):.1f} s", flush=True)
    # The stamp is new whenever the build differs from the one it was last written for (kept
    # beside it), so that a warm-up stopped halfway still gives the slots a new stamp next time.
    stamp, stamped = TEMPLATE / ".stamp", TEMPLATE / ".stamp-digest"
    digest = dependency_digest()
    if not stamp.exists() or not stamped.exists() or stamped.read_text().strip() != digest:
        stamp.write_text(f"{time.time()} {uuid.uuid4()}\n")
        stamped.write_text(digest + "\n")
        print("warm-up: build cache updated; kernels will refresh their copy of it")
    else:
        print("warm-up: build cache already up to date")
    notebooks = [Path(p).resolve() for p in paths]
    fill_cells([p for p in notebooks if p.parent == ROOT / "notebooks"])


if __name__ == "__main__":
    main(sys.argv[1:])
