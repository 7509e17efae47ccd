"""Tests of the committed PyTorch fixtures (tests/fixtures/*.json) and of the scripts that write
them (tools/parity/*_fixtures.py), without torch: every fixture parses and names its torch
version, every script's fixture exists, and a fixture written by `write_json` is exactly what
`write_json` writes for its contents, so the committed bytes are the script's layout."""

import json
import re

import pytest

import common

from conftest import ROOT

FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.json"))
SCRIPTS = sorted((ROOT / "tools" / "parity").glob("*_fixtures.py"))
WRITES = re.compile(r"""\bwrite_(json|text)\(\s*["']([^"']+)["']""")


def written_by(script):
    """(helper, fixture name) for each `write_json("name", ...)` / `write_text("name", ...)`."""
    return WRITES.findall(script.read_text())


def test_there_are_fixtures_and_scripts():
    assert FIXTURES and SCRIPTS


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_parses_and_names_its_torch_version(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    version = doc.get("torch_version")
    assert isinstance(version, str) and re.match(r"^\d+\.\d+(\.\d+)?", version), version


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_writes_a_fixture_through_common(script):
    names = [name for _, name in written_by(script)]
    assert names, f"{script.name} does not write its fixture with common.write_json/write_text"
    for name in names:
        assert (ROOT / "tests" / "fixtures" / name).is_file(), f"{name} is not in tests/fixtures"


def test_every_fixture_has_a_script():
    written = {name for script in SCRIPTS for _, name in written_by(script)}
    assert {p.name for p in FIXTURES} <= written


WRITE_JSON_FIXTURES = sorted(
    name for script in SCRIPTS for helper, name in written_by(script) if helper == "json"
)


@pytest.mark.parametrize("name", WRITE_JSON_FIXTURES)
def test_write_json_fixture_is_write_json_layout(name, tmp_path, monkeypatch):
    committed = ROOT / "tests" / "fixtures" / name
    doc = json.loads(committed.read_text(encoding="utf-8"))
    monkeypatch.setattr(common, "FIXTURES", str(tmp_path))
    common.write_json(name, doc)
    assert (tmp_path / name).read_bytes() == committed.read_bytes()


def test_rng_fixture_is_compact_json():
    committed = (ROOT / "tests" / "fixtures" / "rng.json").read_bytes()
    doc = json.loads(committed)
    assert (json.dumps(doc, separators=(",", ":")) + "\n").encode() == committed
