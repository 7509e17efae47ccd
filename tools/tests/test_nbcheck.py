"""Tests of tools/nbtest/nbcheck.py's own logic, without a kernel: what counts as a failed cell,
and the checker of stored outputs (`python nbcheck.py NOTEBOOK...`)."""

import nbformat
import pytest

import nbcheck


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_text_and_svg_outputs_are_fine():
    outputs = [
        stream("tensor([1., 2.])\n"),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
    ]
    assert nbcheck.output_problems(outputs) == []


def test_a_panic_is_found_through_ansi_colours_and_quoted_by_its_line():
    text = "before\n\x1b[31mthread 'main' panicked at src/lib.rs:3:5:\x1b[0m\nboom\n"
    [problem] = nbcheck.output_problems([stream(text)])
    assert problem == "a panic in the output: thread 'main' panicked at src/lib.rs:3:5:"


def test_stderr_names_its_first_line_and_blank_stderr_is_fine():
    [problem] = nbcheck.output_problems([stream("first\nsecond\n", "stderr")])
    assert problem.endswith(": first")
    assert nbcheck.output_problems([stream("  \n", "stderr")]) == []


def test_stream_text_as_a_list_of_lines():
    out = {"output_type": "stream", "name": "stdout", "text": ["error[E0425]: cannot ", "find"]}
    [problem] = nbcheck.output_problems([out])
    assert problem == "a compile error in the output: error[E0425]: cannot find"


def test_compile_error_inside_rich_output_data():
    out = nbformat.v4.new_output("display_data", data={"text/html": "<pre>[E0308] Error</pre>"})
    [problem] = nbcheck.output_problems([out])
    assert "a compile error" in problem


def test_an_error_output_is_a_problem_even_without_a_pattern():
    out = nbformat.v4.new_output("error", ename="Error", evalue="boom", traceback=[])
    assert nbcheck.output_problems([out]) == ["error output: Error: boom"]


def test_error_codes_need_four_digits():
    assert nbcheck.output_problems([stream("error[E12]: no\n")]) == []


def test_panic_on_stderr_is_a_problem():
    outputs = [stream("thread '<unnamed>' (12) panicked at src/lib.rs:3:5:\nboom\n", "stderr")]
    problems = nbcheck.output_problems(outputs)
    assert any("a panic" in p and "panicked at" in p for p in problems)
    # even where stderr is allowed
    assert any("a panic" in p for p in nbcheck.output_problems(outputs, allow_stderr=True))


def test_stderr_is_a_problem_unless_allowed():
    outputs = [stream("invalid digit found in string\n", "stderr")]
    [problem] = nbcheck.output_problems(outputs)
    assert "stderr" in problem and "invalid digit" in problem
    assert nbcheck.output_problems(outputs, allow_stderr=True) == []


def test_compile_errors_are_problems_in_both_spellings():
    cargo = [stream("error[E0425]: cannot find value `x` in this scope\n", "stderr")]
    kernel = [
        nbformat.v4.new_output(
            "error",
            ename="Error",
            evalue="mismatched types",
            traceback=["\x1b[31m[E0308] Error:\x1b[0m mismatched types"],
        )
    ]
    assert any("compile error" in p for p in nbcheck.output_problems(cargo))
    kernel_problems = nbcheck.output_problems(kernel)
    assert any(p.startswith("error output") for p in kernel_problems)
    assert any("compile error" in p for p in kernel_problems)


def write_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nbformat.write(nb, str(path))
    return str(path)


def code(outputs, tags=()):
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.outputs = outputs
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def test_main_passes_clean_notebooks(tmp_path, capsys):
    path = write_notebook(tmp_path / "ok.ipynb", [nbformat.v4.new_markdown_cell("# t"),
                                                   code([stream("2\n")])])
    assert nbcheck.main([path]) == 0
    assert capsys.readouterr().out == ""


def test_main_counts_failed_cells_and_honours_allow_stderr(tmp_path, capsys):
    path = write_notebook(
        tmp_path / "bad.ipynb",
        [
            code([stream("warning\n", "stderr")], tags=[nbcheck.ALLOW_STDERR_TAG]),
            code([stream("oops\n", "stderr")]),
            nbformat.v4.new_markdown_cell("between"),
            code([stream("thread 'x' panicked at a.rs:1:1:\n", "stderr")],
                 tags=[nbcheck.ALLOW_STDERR_TAG]),
        ],
    )
    assert nbcheck.main([path]) == 1
    out = capsys.readouterr().out
    assert f"{path}: cell 0:" not in out
    assert f"{path}: cell 1:" in out and "oops" in out
    assert f"{path}: cell 2:" in out and "a panic" in out
    assert out.rstrip().endswith("2 cell(s) failed")
