#!/usr/bin/env python3
"""The standard library's sources as the kernel's rust-analyzer reads them.

evcxr runs rust-analyzer inside the kernel to find the types of a cell's variables, and
rust-analyzer loads the standard library's sources (the toolchain's ``rust-src``) into memory
with everything it derives from them. Two parts of ``rust-src`` never decide the type of a
notebook's variable, yet cost a kernel about 120 MB (make bench, "Kernel memory"):

- ``core::arch``, the SIMD intrinsics of every platform (16 MB of source, included into ``core``
  from ``stdarch/crates/core_arch``): replaced by an empty module;
- the library's own tests and benchmarks (``tests/``, ``benches/``, ``coretests``,
  ``alloctests``).

This copies the rest (about 16 MB) to ``.cache/rust-analysis-src/library``; the kernel launcher
(evcxr-kernel) points ``RUST_SRC_PATH`` there when its stamp names the ``rustc`` it runs.
rustc itself still compiles every cell against the real standard library; only the analysis
reads this copy, and a type it cannot name there (from ``std::arch``) asks for an explicit one.

    usage: analysis_src.py [DEST]        (default: .cache/rust-analysis-src; skips when current)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DEST = ROOT / ".cache" / "rust-analysis-src"
#: The file that stands in for core_arch's sources (relative to ``library``).
CORE_ARCH = Path("stdarch/crates/core_arch/src")
CORE_ARCH_STUB = "//! Left out of the kernel's analysis sources (tools/kernel/analysis_src.py).\npub mod arch {}\n"
#: Folders whose Rust files are left out wherever they are.
SKIPPED_DIRS = {"tests", "benches"}
#: Workspace members that are only tests: their manifests stay (cargo metadata reads them).
TEST_CRATES = {"coretests", "alloctests"}
#: Second line of the stamp: a copy made by other rules than these is made again.
RULES = "rules 1: core_arch stubbed; tests, benches, coretests, alloctests left out"


def rustc_version() -> str:
    """`rustc --version` of the rustc on PATH (the stamp's first line, which the launcher
    compares with its own rustc's)."""
    return subprocess.run(["rustc", "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def library_source() -> Path:
    """The toolchain's ``rust-src`` library folder."""
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                             check=True).stdout.strip()
    return Path(sysroot) / "lib" / "rustlib" / "src" / "rust" / "library"


def wanted(rel: Path) -> bool:
    """Whether the file at `rel` (relative to ``library``) goes into the copy.

    >>> wanted(Path("core/src/lib.rs")), wanted(Path("core/tests/num.rs"))
    (True, False)
    >>> wanted(Path("coretests/Cargo.toml")), wanted(Path("coretests/tests/lib.rs"))
    (True, False)
    >>> wanted(Path("stdarch/crates/core_arch/src/x86/avx.rs"))
    False
    """
    if rel.is_relative_to(CORE_ARCH):
        return False
    if rel.suffix == ".rs" and (SKIPPED_DIRS.intersection(rel.parts[:-1])
                                or rel.parts[0] in TEST_CRATES):
        return False
    return True


def make(library: Path, dest: Path, stamp: str) -> Path:
    """Writes the trimmed copy of `library` to ``dest/library`` with `stamp`, unless a copy
    with that stamp is already there. Returns ``dest/library``."""
    out = dest / "library"
    stamp_file = dest / ".stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp and out.is_dir():
        return out
    if not (library / "Cargo.toml").is_file():
        raise SystemExit(f"analysis_src: no rust-src at {library} (rustup component add rust-src)")
    tmp = dest.with_name(dest.name + f".tmp.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    for path in sorted(library.rglob("*")):
        rel = path.relative_to(library)
        if path.is_file() and wanted(rel):
            target = tmp / "library" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    stub = tmp / "library" / CORE_ARCH / "mod.rs"
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text(CORE_ARCH_STUB)
    (tmp / ".stamp").write_text(stamp)
    # Readable by every account (a JupyterHub's students run kernels that read it).
    for folder, _, files in os.walk(tmp):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return out


def main(argv: list[str]) -> int:
    dest = Path(argv[1]) if len(argv) > 1 else DEFAULT_DEST
    out = make(library_source(), dest, f"{rustc_version()}\n{RULES}\n")
    print(f"rust-analyzer's standard library sources: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
