"""Pytest plugin that makes nbval strict enough for evcxr notebooks.

Load it with ``-p nbcheck`` (with ``tools/nbtest`` on ``PYTHONPATH``) next to ``--nbval``.

nbval already runs every cell in a fresh kernel and compares each output (``image/svg+xml``
included) with the stored one, and fails on an ``error`` output. evcxr, however, reports two
kinds of failed cells as successes: a panic, and an error returned early by ``?`` (evcxr prints
the error on stderr and stops the cell). So this plugin also fails a cell whose outputs (fresh
or stored) contain a panic message, a compiler error, or anything on stderr. A cell that writes
to stderr on purpose (``eprintln!``) carries the cell tag ``allow-stderr``.

With ``--nbcheck-save DIR`` it writes each executed notebook (the outputs this run produced) to
``DIR/<name>.ipynb``. ``python nbcheck.py NOTEBOOK...`` checks stored outputs the same way.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from queue import Empty

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

# evcxr sends a cell's stderr from another thread than the one that says "cell done", so a line
# can come just after (about a millisecond was seen). Output that arrives within this many seconds
# after the cell is done still belongs to it.
LATE_OUTPUT_GRACE = 0.2


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


def _get_kernel_message_keeping_late_output(self, timeout=None, stream="iopub"):
    """nbval reads a cell's outputs until the kernel says it is idle. Here, on that idle message,
    the messages that follow within LATE_OUTPUT_GRACE are read too and handed out first, so that
    nbval counts late output of the cell as the cell's."""
    pending = self.__dict__.setdefault("_nbcheck_pending", [])
    if pending:
        return pending.pop(0)
    msg = self.kernel.get_message(stream, timeout=timeout)
    if (
        stream == "iopub"
        and msg["msg_type"] == "status"
        and msg["content"].get("execution_state") == "idle"
    ):
        while True:
            try:
                pending.append(self.kernel.get_message(stream, timeout=LATE_OUTPUT_GRACE))
            except Empty:
                break
        if pending:
            pending.append(msg)
            return pending.pop(0)
    return msg


def pytest_configure(config):
    IPyNbFile.get_kernel_message = _get_kernel_message_keeping_late_output


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
