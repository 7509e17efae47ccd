"""Executes notebooks in the `rust` kernel and stores their outputs (`make notebooks`).

Like `jupyter nbconvert --execute --inplace`, with two differences that matter for evcxr:

- evcxr forwards the cell's stderr from a separate thread, so a line of stderr (the message of an
  error returned by `?`, which evcxr otherwise reports as a success) can arrive just after the
  kernel said the cell is done. After each cell this waits LATE_OUTPUT_GRACE seconds for such
  late output and keeps it with its cell.
- Every cell runs, even after a failed one, the notebook is written, and then its outputs are
  checked like the notebook test does (`nbcheck.output_problems`); the exit code is 1 when a cell
  failed.

usage: python tools/nbtest/execute.py NOTEBOOK...
"""

from __future__ import annotations

import sys
from pathlib import Path
from queue import Empty

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbcheck import ALLOW_STDERR_TAG, LATE_OUTPUT_GRACE, output_problems  # noqa: E402

CELL_TIMEOUT = 1800


def client_for(nb, folder: Path, timeout: float = CELL_TIMEOUT) -> NotebookClient:
    """A NotebookClient for the `rust` kernel, working in `folder`, keeping late stream output."""
    client = NotebookClient(
        nb,
        kernel_name="rust",
        timeout=timeout,
        startup_timeout=600,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    )

    async def keep_late_output(cell, cell_index, execute_reply):
        parent = (execute_reply or {}).get("parent_header", {}).get("msg_id")
        while True:
            try:
                msg = await client.kc.get_iopub_msg(timeout=LATE_OUTPUT_GRACE)
            except Empty:
                break
            if msg["parent_header"].get("msg_id") == parent and msg["msg_type"] == "stream":
                content = msg["content"]
                cell.outputs.append(
                    nbformat.v4.new_output("stream", name=content["name"], text=content["text"])
                )

    client.on_cell_executed = keep_late_output
    return client


def execute(path: Path) -> list[str]:
    """Executes one notebook in place; returns the problems found in its outputs."""
    nb = nbformat.read(str(path), as_version=4)
    client_for(nb, path.parent).execute()
    nbformat.write(nb, str(path))
    problems = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for num, cell in enumerate(code_cells):
        allow = ALLOW_STDERR_TAG in cell.get("metadata", {}).get("tags", [])
        for problem in output_problems(cell.outputs, allow):
            problems.append(f"cell {num}: {problem}")
    return problems


def main(paths: list[str]) -> int:
    failed = 0
    for p in paths:
        path = Path(p)
        print(f"executing {path}", flush=True)
        problems = execute(path)
        if problems:
            failed += 1
            print("  FAILED:\n    " + "\n    ".join(problems), flush=True)
    print(f"{len(paths) - failed} notebook(s) executed cleanly, {failed} with failed cells")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
