"""Tests of tools/kernel/fill_slot.py on a small made-up template: which files a slot shares
with the template and which it copies, that the copies keep their times (cargo's freshness
checks compare them), that nothing written through the slot reaches the template, and the
symlink fallback for a user who may not hard-link the template's files."""

import errno
import os
import subprocess
import sys

import pytest

import fill_slot

BIG = b"x" * fill_slot.SHARE_MIN_BYTES

# path in the template -> whether the slot shares it (True) or copies it (False)
LAYOUT = {
    "target/debug/deps/libcandle_core-1a.rlib": True,
    "target/debug/deps/libcandle_core-1a.rmeta": True,
    "target/debug/deps/libpaste-2b.so": True,
    "target/debug/incremental/d2l-3c/s-1/query-cache.bin": True,
    "target/debug/build/pulp-4d/build-script-build": True,
    "target/debug/deps/candle_core-1a.d": False,
    "target/debug/.fingerprint/candle-core-1a/lib-candle_core.json": False,
    "target/debug/build/pulp-4d/out/generated.rs": False,
    "target/x86_64-unknown-linux-gnu/debug/deps/libctx.so": False,
    "target/x86_64-unknown-linux-gnu/debug/libcode_3.so": False,
    "target/x86_64-unknown-linux-gnu/debug/incremental/ctx-9z/s-1/dep-graph.bin": False,
}
SMALL = ["Cargo.lock", "Cargo.toml", "src/lib.rs", "target/debug/.cargo-lock", ".stamp"]


@pytest.fixture
def template(tmp_path):
    root = tmp_path / "template"
    for i, rel in enumerate(LAYOUT):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(BIG + bytes([i]))
        os.utime(path, ns=(1_700_000_000_123_456_789 + i, 1_700_000_000_123_456_789 + i))
    for rel in SMALL:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)
        os.utime(path, ns=(1_600_000_000_987_654_321, 1_600_000_000_987_654_321))
    return root


def test_big_artifacts_are_shared_and_what_cargo_rewrites_is_copied(template, tmp_path):
    slot = tmp_path / "slot"
    counts = fill_slot.fill(template, slot)
    for rel, shared in LAYOUT.items():
        same_inode = os.stat(template / rel).st_ino == os.stat(slot / rel).st_ino
        assert same_inode == shared, rel
        assert (slot / rel).read_bytes() == (template / rel).read_bytes()
    for rel in SMALL:
        assert os.stat(template / rel).st_ino != os.stat(slot / rel).st_ino
    assert counts["link"] == sum(LAYOUT.values())
    assert counts["symlink"] == 0
    assert fill_slot.own_bytes(slot) < sum(os.stat(template / r).st_size for r in LAYOUT)


def test_copies_keep_the_templates_times_to_the_nanosecond(template, tmp_path):
    slot = tmp_path / "slot"
    fill_slot.fill(template, slot)
    for rel in [r for r, shared in LAYOUT.items() if not shared] + SMALL:
        assert os.stat(slot / rel).st_mtime_ns == os.stat(template / rel).st_mtime_ns, rel


def test_writing_through_the_slot_never_changes_the_template(template, tmp_path):
    slot = tmp_path / "slot"
    fill_slot.fill(template, slot)
    before = {rel: (template / rel).read_bytes() for rel in list(LAYOUT) + SMALL}
    # What cargo and rustc do when a unit rebuilds: fingerprints and dep-info rewritten in
    # place, artifacts replaced by a rename, the linker unlinking its output first.
    for rel in [r for r, shared in LAYOUT.items() if not shared] + SMALL:
        (slot / rel).write_bytes(b"rewritten in place")
    for rel in [r for r, shared in LAYOUT.items() if shared]:
        fresh = slot / (rel + ".tmp")
        fresh.write_bytes(b"new build")
        os.replace(fresh, slot / rel)
    assert {rel: (template / rel).read_bytes() for rel in before} == before


def test_a_user_who_may_not_hard_link_gets_symlinks(template, tmp_path, monkeypatch):
    calls = []

    def refuse(src, dst):
        calls.append(src)
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(fill_slot.os, "link", refuse)
    slot = tmp_path / "slot"
    counts = fill_slot.fill(template, slot)
    assert len(calls) == 1, "after one refusal the rest are symlinked without asking"
    assert counts["link"] == 0 and counts["symlink"] == sum(LAYOUT.values())
    for rel, shared in LAYOUT.items():
        assert (slot / rel).is_symlink() == shared, rel
        assert (slot / rel).read_bytes() == (template / rel).read_bytes()


def test_other_link_errors_are_not_hidden(template, tmp_path, monkeypatch):
    def broken(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(fill_slot.os, "link", broken)
    with pytest.raises(OSError):
        fill_slot.fill(template, tmp_path / "slot")


def test_the_command_refuses_a_folder_that_is_not_empty(template, tmp_path):
    slot = tmp_path / "slot"
    slot.mkdir()
    (slot / "left-over").write_text("x")
    script = fill_slot.__file__
    run = subprocess.run([sys.executable, script, str(template), str(slot)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "not empty" in run.stderr
    run = subprocess.run([sys.executable, script, str(template), str(tmp_path / "new")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "new" / "Cargo.lock").read_text() == "Cargo.lock"
