"""Tests of the notebook test itself.

The notebook test (`pytest --nbval -p nbcheck`) must pass a good notebook and fail one that
panics, one that stops at an error returned by `?`, one that does not compile, and one whose
stored text or SVG output is stale. Here it runs
for real, in the `rust` kernel, on the fixture notebooks of fixtures/ (see make_fixtures.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# ------------------------------------------------------------------ the fixtures, for real


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    """Runs the notebook test on every fixture notebook; per-cell outcomes from its JUnit XML."""
    out = tmp_path_factory.mktemp("nbcheck")
    junit = out / "junit.xml"
    cmd = [
        sys.executable, "-m", "pytest", "-p", "nbcheck", "-p", "no:cacheprovider",
        "--nbval", "--nbval-kernel-name=rust", "--nbval-cell-timeout=1800",
        f"--nbcheck-save={out / 'executed'}", f"--junitxml={junit}",
        *sorted(str(p) for p in FIXTURES.glob("*.ipynb")),
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tools" / "nbtest"))
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    cells = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        notebook = case.get("classname", "").split(".")[-2]
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        text = None if failure is None else (failure.get("message", "") + "\n" + (failure.text or ""))
        cells[(notebook, case.get("name"))] = text
    return proc, cells, out / "executed"


def outcome(fixture_run, notebook, cell):
    _, cells, _ = fixture_run
    assert (notebook, cell) in cells, f"{notebook}::{cell} did not run; ran {sorted(cells)}"
    return cells[(notebook, cell)]


def test_the_run_as_a_whole_fails(fixture_run):
    proc, cells, _ = fixture_run
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    expected = sum(
        1
        for path in FIXTURES.glob("*.ipynb")
        for cell in nbformat.read(str(path), as_version=4).cells
        if cell.cell_type == "code"
    )
    assert len(cells) == expected


@pytest.mark.parametrize(
    "notebook", ["determinism", "svg", "allow_stderr", "without_prelude", "cross_cell_backward"]
)
def test_good_notebooks_pass(fixture_run, notebook):
    _, cells, _ = fixture_run
    mine = {name: text for (nb, name), text in cells.items() if nb == notebook}
    assert mine, f"no cell of {notebook} ran"
    assert all(text is None for text in mine.values()), mine


def test_draws_continue_one_stream_across_cells(fixture_run):
    # The last cell re-seeds, draws 6 numbers with rand and 6 with randn, and asserts they equal
    # the 3 + 3 of each drawn in four earlier cells (a failed assert would be a panic).
    assert outcome(fixture_run, "determinism", "Cell 5") is None
    nb = nbformat.read(str(fixture_run[2] / "determinism.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[5].outputs)
    assert "rand: 3 + 3 draws over two cells == 6 draws in one cell: true" in text
    assert "randn: 3 + 3 draws over two cells == 6 draws in one cell: true" in text


def test_a_backward_pass_spans_cells(fixture_run):
    # Model, data and loss from three cells, backward in a fourth: the tied gradients 5 and 3
    # (the last cell asserts them; a failed assert would be a panic).
    assert outcome(fixture_run, "cross_cell_backward", "Cell 4") is None
    nb = nbformat.read(str(fixture_run[2] / "cross_cell_backward.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[4].outputs)
    assert "tied gradients from four cells: [5.0] [3.0]" in text


def test_a_panic_fails_even_without_output_comparison(fixture_run):
    text = outcome(fixture_run, "panic", "Cell 1")
    assert text is not None, "a panicking cell passed"
    assert "Panic" in text and "index out of bounds: the len is 0 but the index is 3" in text


def test_an_error_from_question_mark_fails(fixture_run):
    text = outcome(fixture_run, "question_mark", "Cell 1")
    assert text is not None, "a cell stopped by `?` passed"
    assert "ParseIntError" in text and "invalid digit found in string" in text


def test_errors_are_stored_as_jupyter_errors():
    """The kernel reports `?` and panics as `error` outputs with a class and a message."""
    def errors(name):
        nb = nbformat.read(str(FIXTURES / f"{name}.ipynb"), as_version=4)
        return [(o.ename, o.evalue) for o in nb.cells[1].outputs if o.output_type == "error"]

    assert errors("question_mark") == [("ParseIntError", "invalid digit found in string")]
    assert errors("panic") == [("Panic", "index out of bounds: the len is 0 but the index is 3")]


def test_a_compile_error_fails(fixture_run):
    text = outcome(fixture_run, "compile_error", "Cell 1")
    assert text is not None, "a cell that does not compile passed"
    assert "E0308" in text


def test_a_stale_text_output_fails(fixture_run):
    text = outcome(fixture_run, "stale", "Cell 1")
    assert text is not None, "a stale stored output passed"
    assert "41" in text and "42" in text
    assert outcome(fixture_run, "stale", "Cell 0") is None


def test_a_stale_svg_output_fails(fixture_run):
    text = outcome(fixture_run, "stale_svg", "Cell 1")
    assert text is not None, "a stale stored SVG passed"
    assert "image/svg+xml" in text
    # the same cell with its real output passes: the SVG really is compared, and equal
    assert outcome(fixture_run, "svg", "Cell 1") is None


def test_executed_notebooks_are_saved_with_this_runs_outputs(fixture_run):
    executed = fixture_run[2] / "svg.ipynb"
    nb = nbformat.read(str(executed), as_version=4)
    svgs = [o for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1
