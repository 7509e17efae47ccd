"""Every Python file of tools/ compiles and opens with a docstring saying what it is."""

import ast

import pytest

from conftest import TOOLS

FILES = sorted(TOOLS.rglob("*.py"))


def test_files_are_found():
    assert len(FILES) > 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(TOOLS).as_posix())
def test_compiles_and_has_a_docstring(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    compile(tree, str(path), "exec")
    doc = ast.get_docstring(tree)
    assert doc and doc.strip(), f"{path.relative_to(TOOLS)} has no module docstring"
