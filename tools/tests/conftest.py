"""Shared set-up for the tests of tools/: the tool folders on the import path, and the
repository's root."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
for folder in ("parity", "nbtest", "bench", "kernel"):
    sys.path.insert(0, str(TOOLS / folder))


@pytest.fixture
def root():
    return ROOT
