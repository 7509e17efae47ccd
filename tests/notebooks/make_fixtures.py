"""Writes the fixture notebooks of tests/notebooks/fixtures/ (run it with the .venv's python).

Each fixture is executed for real in the `rust` kernel, so its stored outputs are what evcxr
produced. Two fixtures are then made stale on purpose, by changing one stored output, to prove
that the notebook test notices a difference:

- determinism.ipynb  good: `rand`/`randn` draws after `manual_seed(0)` continue one stream across
                     cells (the same draws as in one cell)
- svg.ipynb          good: one SVG output (evcxr's EVCXR_BEGIN_CONTENT protocol) and some text
- panic.ipynb        a cell panics (the kernel's `error` output, class `Panic`); its output is not
                     compared (tag `nbval-ignore-output`), so only the error itself can fail it
- question_mark.ipynb  a cell stops at an error returned by `?` (an `error` output, class
                     `ParseIntError`); stored outputs are the real ones
- allow_stderr.ipynb   good: a cell tagged `allow-stderr` writes to stderr on purpose
- without_prelude.ipynb  good: d2l used without its prelude; cells ending in a d2l value (its
                     own `evcxr_display`) or in any other value (evcxr's `{:?}` fallback, which
                     the crate must not break) show it
- compile_error.ipynb  a cell does not compile (error[E0308])
- stale.ipynb        stored text output changed from the real "42" to "41"
- stale_svg.ipynb    stored SVG changed (one colour) from the real output

- cross_cell_backward.ipynb  good: the tied 1-D example's model, data, loss and backward in four
                     cells give the gradients 5 and 3

usage: .venv/bin/python tests/notebooks/make_fixtures.py [NAME ...]   (all fixtures by default)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT / "tools" / "nbtest"))
from execute import client_for  # noqa: E402

# The same first cell as the chapter's notebooks (only the path differs: evcxr resolves it from
# the notebook's folder, so both name this repository).
FIRST = ':dep d2l = { path = "../../.." }\nuse d2l::prelude::*;\nmanual_seed(0);'

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">'
    '<rect width="240" height="120" fill="white"/>'
    '<polyline points="10,110 60,70 110,80 160,30 230,20" fill="none" stroke="#1f77b4" '
    'stroke-width="3"/></svg>'
)

FIXTURES = {
    "determinism": [
        FIRST,
        "let a = rand(3)?;",
        "let b = rand(3)?;",
        "let c = randn(3)?;",
        "let d = randn(3)?;",
        # PyTorch gives the same: manual_seed(0); rand(3), rand(3), randn(3), randn(3) equal
        # manual_seed(0); rand(6), randn(6) split in halves.
        "manual_seed(0);\n"
        "let (all_u, all_n) = (rand(6)?.to_vec()?, randn(6)?.to_vec()?);\n"
        "let across_u = [a.to_vec()?, b.to_vec()?].concat();\n"
        "let across_n = [c.to_vec()?, d.to_vec()?].concat();\n"
        'assert_eq!(across_u, all_u, "rand in later cells does not continue the seeded stream");\n'
        'assert_eq!(across_n, all_n, "randn in later cells does not continue the seeded stream");\n'
        'println!("rand: 3 + 3 draws over two cells == 6 draws in one cell: {}", across_u == all_u);\n'
        'println!("randn: 3 + 3 draws over two cells == 6 draws in one cell: {}", across_n == all_n);',
    ],
    "svg": [
        FIRST,
        f'let svg = r##"{SVG}"##;\n'
        'println!("EVCXR_BEGIN_CONTENT image/svg+xml\\n{svg}\\nEVCXR_END_CONTENT");',
        'println!("after the plot");',
    ],
    "panic": [
        FIRST,
        "let empty: Vec<u32> = Vec::new();\nlet third = empty[3];",
        'println!("still running");',
    ],
    "question_mark": [
        FIRST,
        'let n: i32 = "not a number".parse()?;\nprintln!("parsed {n}");',
    ],
    "without_prelude": [
        ':dep d2l = { path = "../../.." }\nuse d2l::Tensor;',
        "Tensor::new(&[1f32, 2.0])?",
        'String::from("shown with {:?}")',
        "vec![1, 2, 3]",
    ],
    # A backward pass whose model, data and loss were made in different cells (each cell is
    # compiled on its own, with its own copy of candle): the worked example of tied gradients.
    "cross_cell_backward": [
        FIRST,
        "let shared = Linear::new(1, 1)?;\n"
        "init::constant_(&shared.weight()?, 2.0)?;\n"
        "init::constant_(&shared.bias()?, 1.0)?;\n"
        "let tied = sequential![shared.clone(), shared.clone()];",
        "let (x, y) = (Tensor::new(&[1f32])?, Tensor::new(&[3f32])?);",
        "let loss = tied.forward(&x)?.sub(&y)?;\nloss",
        "loss.backward()?;\n"
        "let gw = shared.weight()?.grad().expect(\"a gradient for the weight\").to_vec()?;\n"
        "let gb = shared.bias()?.grad().expect(\"a gradient for the bias\").to_vec()?;\n"
        'assert_eq!((gw.clone(), gb.clone()), (vec![5.0], vec![3.0]), "tied gradients across cells");\n'
        'println!("tied gradients from four cells: {gw:?} {gb:?}");',
    ],
    "allow_stderr": [
        FIRST,
        'eprintln!("a deliberate message on stderr");',
    ],
    "compile_error": [
        FIRST,
        'let n: u32 = "not a number";',
    ],
    "stale": [
        FIRST,
        'println!("{}", 6 * 7);',
    ],
}


def execute(name: str, sources: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "rust", "display_name": "Rust", "language": "rust"}
    nb.metadata["language_info"] = {"name": "rust"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    for cell in nb.cells:
        if "empty[3]" in cell.source:
            cell.metadata["tags"] = ["nbval-ignore-output"]
        if "eprintln!" in cell.source:
            cell.metadata["tags"] = ["allow-stderr"]
    client_for(nb, HERE).execute()
    return nb


def replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"expected exactly one {old!r} in {text!r}")
    return text.replace(old, new)


def main(names: list[str]) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    unknown = set(names) - set(FIXTURES)
    if unknown:
        raise SystemExit(f"no fixture named {sorted(unknown)}; there are {sorted(FIXTURES)}")
    for name, sources in FIXTURES.items():
        if names and name not in names:
            continue
        print(f"executing {name}", flush=True)
        nb = execute(name, sources)
        if name == "stale":
            out = nb.cells[1].outputs[0]
            out.text = replace_once(out.text, "42", "41")
        nbformat.write(nb, str(HERE / f"{name}.ipynb"))
        if name == "svg":
            stale = nbformat.from_dict(nb)
            data = stale.cells[1].outputs[0].data
            data["image/svg+xml"] = replace_once(data["image/svg+xml"], "#1f77b4", "#ff7f0e")
            nbformat.write(stale, str(HERE / "stale_svg.ipynb"))
    print("written to", HERE)


if __name__ == "__main__":
    main(sys.argv[1:])
