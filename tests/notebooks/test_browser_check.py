"""Tests of the browser check (tools/nbtest/browser_check.py) in real headless Chromium."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))

from browser_check import check_notebook, svg_outputs  # noqa: E402

SVG = "image/svg+xml"


def with_svg(tmp_path: Path, name: str, svg: str) -> Path:
    """The svg fixture (real evcxr outputs) with its SVG output replaced."""
    nb = nbformat.read(str(FIXTURES / "svg.ipynb"), as_version=4)
    [out] = [o for c in nb.cells for o in c.get("outputs", []) if SVG in o.get("data", {})]
    out.data[SVG] = svg
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_real_svg_output_renders_with_a_size(tmp_path):
    path = FIXTURES / "svg.ipynb"
    assert svg_outputs(nbformat.read(str(path), as_version=4)) == 1
    assert check_notebook(path, tmp_path) == []
    shot = tmp_path / "screenshots" / "svg.png"
    assert shot.stat().st_size > 1000


def test_a_notebook_without_svg_passes(tmp_path):
    assert check_notebook(FIXTURES / "determinism.ipynb", tmp_path) == []


def test_an_svg_of_zero_size_fails(tmp_path):
    path = with_svg(tmp_path, "zero", '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>')
    problems = check_notebook(path, tmp_path)
    assert problems and "SVG output 0" in problems[0]


def test_a_broken_svg_fails(tmp_path):
    path = with_svg(tmp_path, "broken", '<svg xmlns="http://www.w3.org/2000/svg" width="50"')
    problems = check_notebook(path, tmp_path)
    assert problems and "did not load" in problems[0]
