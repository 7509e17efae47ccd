"""Executes notebooks in the `rust` kernel and stores their outputs (`make notebooks`).

Like `jupyter nbconvert --execute --inplace`, except that every cell runs, even after a failed
one, the notebook is written, and then its outputs are checked like the notebook test does
(`nbcheck.output_problems`); the exit code is 1 when a cell failed.

usage: python tools/nbtest/execute.py NOTEBOOK...
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbcheck import ALLOW_STDERR_TAG, output_problems  # noqa: E402

CELL_TIMEOUT = 1800


def client_for(nb, folder: Path, timeout: float = CELL_TIMEOUT) -> NotebookClient:
    """A NotebookClient for the `rust` kernel, working in `folder`."""
    return NotebookClient(
        nb,
        kernel_name="rust",
        timeout=timeout,
        startup_timeout=600,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    )


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
