"""Pytest plugin that makes nbval strict enough for evcxr notebooks.

Load it with ``-p nbcheck`` (with ``tools/nbtest`` on ``PYTHONPATH``) next to ``--nbval``.

nbval already runs every cell in a fresh kernel and compares each output (``image/svg+xml``
included) with the stored one, and fails on an ``error`` output, which is how the project's
kernel reports an error returned by ``?`` and a panic (tools/kernel/build-evcxr). This plugin
also fails a cell whose outputs (fresh or stored) contain a panic message, a compiler error, or
anything on stderr, so that a stored notebook cannot hide one either. A cell that writes to
stderr on purpose (``eprintln!``) carries the cell tag ``allow-stderr``.

As the session's notebooks are collected, the kernel pool (tools/kernel/pool) starts warming a
kernel for their folder, so that each notebook after the first opens in a warm kernel, as in
JupyterLab.

With ``--nbcheck-save DIR`` it writes each executed notebook (the outputs this run produced) to
``DIR/<name>.ipynb``. ``python nbcheck.py NOTEBOOK...`` checks stored outputs the same way.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbFile, NbCellError

# What a failed cell leaves in its outputs under evcxr: the panic message (on stderr; evcxr
# reports the cell as a success), rustc's error code as cargo prints it, and as evcxr's kernel
# prints it in an error output ("[E0308] Error: mismatched types").
PROBLEM_PATTERNS = [
    (re.compile(r"panicked at"), "a panic"),
    (re.compile(r"error\[E\d{4}\]"), "a compile error"),
    (re.compile(r"\[E\d{4}\] Error"), "a compile error"),
]
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _texts(output) -> list[str]:
    """Every piece of text in one output (stream text, every mime type, error fields)."""
    texts = []
    kind = output.get("output_type")
    if kind == "stream":
        texts.append(_join(output.get("text", "")))
    elif kind == "error":
        texts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
        texts.extend(_join(t) for t in output.get("traceback", []))
    for value in (output.get("data") or {}).values():
        if isinstance(value, (str, list)):
            texts.append(_join(value))
    return texts


def _join(value) -> str:
    text = "".join(value) if isinstance(value, list) else str(value)
    return ANSI_RE.sub("", text)


ALLOW_STDERR_TAG = "allow-stderr"

def output_problems(outputs, allow_stderr: bool = False) -> list[str]:
    """Describes every sign of failure in a cell's outputs; empty when the cell is fine."""
    problems = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = _join(output.get("text", "")).strip()
            if text and not allow_stderr:
                first = text.splitlines()[0]
                problems.append(f"output on stderr (an error from `?`, or a panic): {first}")
        if output.get("output_type") == "error":
            problems.append(
                f"error output: {output.get('ename', '')}: {output.get('evalue', '')}".strip()
            )
        for text in _texts(output):
            for pattern, what in PROBLEM_PATTERNS:
                match = pattern.search(text)
                if match:
                    line = _line_around(text, match.start())
                    problems.append(f"{what} in the output: {line}")
    return problems


def _line_around(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)].strip()


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell")


def pytest_collection_finish(session):
    """Warms a pooled kernel for the notebooks' folders, the first notebook's last (it is the
    one the pool fills first)."""
    folders = []
    for item in session.items:
        if _is_nbval_cell(item):
            folder = str(Path(str(item.fspath)).parent)
            if folder in folders:
                folders.remove(folder)
            folders.insert(0, folder)
    if not folders:
        return
    try:
        from d2l_kernel_pool import prewarm
    except ImportError:  # the pool is not installed: kernels start as without it
        return
    kernel = session.config.getoption("nbval_kernel_name", None) or "rust"
    for folder in folders:
        prewarm(folder, kernel)


def pytest_addoption(parser):
    group = parser.getgroup("nbcheck")
    group.addoption(
        "--nbcheck-save",
        action="store",
        default=None,
        metavar="DIR",
        help="write every executed notebook, with the outputs of this run, into DIR",
    )


_executed: dict[str, nbformat.NotebookNode] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if not _is_nbval_cell(item):
        return (yield)
    try:
        result = yield
        nbval_failed = False
    except BaseException:
        result = None
        nbval_failed = True
        raise
    finally:
        # Runs whether nbval passed or not: a panic is reported even in a cell whose output is
        # not compared (tag `nbval-ignore-output`).
        allow = ALLOW_STDERR_TAG in item.cell.get("metadata", {}).get("tags", [])
        problems = output_problems(getattr(item, "test_outputs", None) or [], allow)
        stored = output_problems(item.cell.get("outputs", []), allow)
        problems += [f"(stored) {p}" for p in stored]
        if problems:
            text = "the outputs show that the cell failed:\n  " + "\n  ".join(problems)
            if nbval_failed:
                item.add_report_section("call", "nbcheck", text)
            else:
                raise NbCellError(item.cell_num, text, item.cell.source)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and _is_nbval_cell(item) and item.config.option.nbcheck_save:
        _record(item)
    return report


def _record(item):
    source_nb = item.parent.nb
    path = str(item.fspath)
    if path not in _executed:
        _executed[path] = copy.deepcopy(source_nb)
        for cell in _executed[path].cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
    index = next(i for i, c in enumerate(source_nb.cells) if c is item.cell)
    cell = _executed[path].cells[index]
    outputs = []
    for out in getattr(item, "test_outputs", None) or []:
        out = copy.deepcopy(dict(out))
        kind = out.get("output_type")
        if kind == "stream":
            outputs.append(nbformat.v4.new_output("stream", name=out["name"], text=out["text"]))
        elif kind in ("display_data", "execute_result"):
            new = nbformat.v4.new_output(
                kind, data=out.get("data", {}), metadata=out.get("metadata", {})
            )
            if kind == "execute_result":
                new.execution_count = out.get("execution_count")
            outputs.append(new)
        elif kind == "error":
            outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename=out.get("ename", ""),
                    evalue=out.get("evalue", ""),
                    traceback=out.get("traceback", []),
                )
            )
    cell.outputs = outputs
    cell.execution_count = item.cell_num + 1


def pytest_sessionfinish(session):
    target = session.config.option.nbcheck_save
    if not target:
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    for path, nb in _executed.items():
        nbformat.write(nb, str(Path(target) / Path(path).name))


def main(paths: list[str]) -> int:
    """Checks the stored outputs of notebooks (after `make notebooks`); 1 when a cell failed."""
    bad = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for num, cell in enumerate(code_cells):
            allow = ALLOW_STDERR_TAG in cell.get("metadata", {}).get("tags", [])
            problems = output_problems(cell.get("outputs", []), allow)
            if problems:
                bad += 1
                print(f"{path}: cell {num}:\n  " + "\n  ".join(problems))
    if bad:
        print(f"{bad} cell(s) failed")
    return 1 if bad else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
