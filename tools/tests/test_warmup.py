"""Tests of tools/kernel/warmup.py's pure parts, without a kernel: which cell it takes from a
notebook, which cells share one build, and the digest that decides whether kernels refresh
their copy of the template."""

import os

import nbformat

import warmup


def notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nbformat.write(nb, str(path))
    return path


def test_first_code_cell_skips_markdown_and_blank_cells(tmp_path):
    path = notebook(tmp_path / "a.ipynb", [
        nbformat.v4.new_markdown_cell(":dep not this"),
        nbformat.v4.new_code_cell("   \n"),
        nbformat.v4.new_code_cell(':dep d2l = { path = ".." }\nlet x = 1;'),
        nbformat.v4.new_code_cell("x"),
    ])
    assert warmup.first_code_cell(path) == ':dep d2l = { path = ".." }\nlet x = 1;'


def test_first_code_cell_of_a_notebook_without_code(tmp_path):
    path = notebook(tmp_path / "a.ipynb", [nbformat.v4.new_markdown_cell("text")])
    assert warmup.first_code_cell(path) is None


def test_build_key_keeps_only_commands_with_absolute_paths(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    source = ':dep d2l = { path = ".." }\n  :opt 1\nuse d2l::*;\nlet x = 1;\n'
    key = warmup.build_key(source, folder)
    assert key == f':dep d2l = {{ path = "{tmp_path.resolve()}" }}\n:opt 1'


def test_cells_that_differ_in_rust_code_only_share_a_build(tmp_path):
    a = ':dep d2l = { path = ".." }\nlet x = 1;'
    b = ':dep d2l = { path = ".." }\nprintln!("{}", 2);'
    c = ':dep d2l = { path = ".." }\n:dep rand = "0.8"'
    assert warmup.build_key(a, tmp_path) == warmup.build_key(b, tmp_path)
    assert warmup.build_key(a, tmp_path) != warmup.build_key(c, tmp_path)
    # the same relative path from another folder is another crate
    assert warmup.build_key(a, tmp_path) != warmup.build_key(a, tmp_path / "sub")


def test_dependency_digest_ignores_the_cells_own_crate(tmp_path, monkeypatch):
    monkeypatch.setattr(warmup, "TEMPLATE", tmp_path)
    deps = tmp_path / "target" / "debug" / "deps"
    deps.mkdir(parents=True)
    (deps / "libcandle-1.rlib").write_bytes(b"x" * 10)
    before = warmup.dependency_digest()
    assert before == warmup.dependency_digest()

    (deps / "libctx-2.so").write_bytes(b"cell")
    (deps / "ctx-2.d").write_text("dep-info")
    (tmp_path / "target" / "debug" / "ctx").mkdir()
    (tmp_path / "target" / "debug" / "ctx" / "anything").write_text("x")
    assert warmup.dependency_digest() == before

    (deps / "libcandle-1.rlib").write_bytes(b"x" * 11)
    assert warmup.dependency_digest() != before


def test_dependency_digest_sees_a_touched_file(tmp_path, monkeypatch):
    monkeypatch.setattr(warmup, "TEMPLATE", tmp_path)
    f = tmp_path / "target" / "dep.rlib"
    f.parent.mkdir()
    f.write_bytes(b"x")
    before = warmup.dependency_digest()
    st = os.stat(f)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert warmup.dependency_digest() != before
