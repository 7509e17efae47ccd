"""Tests of tools/kernel/analysis_src.py on a small made-up ``rust-src`` library: what the copy
keeps and leaves out, the core_arch stub, the stamp that decides when it is made again, and
that every account can read it."""

import os
import stat

import pytest

import analysis_src

# path under library/ -> whether the copy has it
LAYOUT = {
    "Cargo.toml": True,
    "Cargo.lock": True,
    "core/Cargo.toml": True,
    "core/src/lib.rs": True,
    "core/src/num/mod.rs": True,
    "core/tests/num.rs": False,
    "core/benches/iter.rs": False,
    "std/src/sys/pal/unix/mod.rs": True,
    "std/src/io/tests.rs": True,
    "std/tests/env.rs": False,
    "coretests/Cargo.toml": True,
    "coretests/lib.rs": False,
    "alloctests/tests/vec.rs": False,
    "stdarch/Cargo.toml": True,
    "stdarch/crates/core_arch/src/mod.rs": False,  # replaced by the stub
    "stdarch/crates/core_arch/src/x86/avx.rs": False,
    "stdarch/crates/core_arch/Cargo.toml": True,
}


@pytest.fixture
def library(tmp_path):
    lib = tmp_path / "rust-src" / "library"
    for rel in LAYOUT:
        (lib / rel).parent.mkdir(parents=True, exist_ok=True)
        (lib / rel).write_text(f"// {rel}\n")
    return lib


def test_the_copy_keeps_what_decides_a_type_and_leaves_out_arch_and_tests(library, tmp_path):
    out = analysis_src.make(library, tmp_path / "dest", "rustc 1.0.0\nrules\n")
    assert out == tmp_path / "dest" / "library"
    for rel, kept in LAYOUT.items():
        if rel == "stdarch/crates/core_arch/src/mod.rs":
            continue
        assert (out / rel).exists() == kept, rel
        if kept:
            assert (out / rel).read_text() == f"// {rel}\n"
    stub = out / "stdarch/crates/core_arch/src/mod.rs"
    assert stub.read_text() == analysis_src.CORE_ARCH_STUB
    assert sorted(p.name for p in stub.parent.iterdir()) == ["mod.rs"]


def test_the_stamp_decides_when_the_copy_is_made_again(library, tmp_path):
    dest = tmp_path / "dest"
    analysis_src.make(library, dest, "rustc 1.0.0\nrules\n")
    assert (dest / ".stamp").read_text() == "rustc 1.0.0\nrules\n"
    (library / "core/src/lib.rs").write_text("// changed\n")
    analysis_src.make(library, dest, "rustc 1.0.0\nrules\n")  # same stamp: kept as it is
    assert (dest / "library/core/src/lib.rs").read_text() == "// core/src/lib.rs\n"
    analysis_src.make(library, dest, "rustc 1.1.0\nrules\n")  # another rustc: made again
    assert (dest / "library/core/src/lib.rs").read_text() == "// changed\n"
    assert not list(tmp_path.glob("dest.tmp.*"))


def test_every_account_can_read_the_copy(library, tmp_path):
    os.umask(0o077)
    try:
        out = analysis_src.make(library, tmp_path / "dest", "rustc 1.0.0\nrules\n")
    finally:
        os.umask(0o022)
    for folder, _, files in os.walk(out):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755, folder
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o644, name


def test_no_rust_src_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="rustup component add rust-src"):
        analysis_src.make(tmp_path / "nothing", tmp_path / "dest", "rustc 1.0.0\n")


def test_the_copy_of_this_toolchain_names_its_rustc(tmp_path):
    stamp = f"{analysis_src.rustc_version()}\n{analysis_src.RULES}\n"
    out = analysis_src.make(analysis_src.library_source(), tmp_path / "dest", stamp)
    assert (out / "core/src/lib.rs").is_file() and (out / "std/src/lib.rs").is_file()
    assert (tmp_path / "dest/.stamp").read_text().splitlines()[0].startswith("rustc ")
