"""Checks that every SVG output of executed notebooks really shows in a browser.

For each notebook: render it to HTML with nbconvert (JupyterLab's look), add a small script
that measures every rendered `image/svg+xml` output, load the page in headless Chromium, read
the measurements back from the page (`--dump-dom`), and take a screenshot into OUTDIR. A
notebook fails when the page shows a different number of SVG outputs than the notebook holds,
or one of them has no width or height.

usage: python tools/nbtest/browser_check.py [--out OUTDIR] NOTEBOOK...
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

SVG_MIME = "image/svg+xml"
REPORT_ID = "nbcheck-svg-report"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing outside this machine is reachable: fail such look-ups at once instead of waiting.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
    "--hide-scrollbars",
]

# Runs in the page once it has loaded; writes what it measured into an element read back from
# the DOM dump.
MEASURE_JS = """
<script>
window.addEventListener('load', function () {
  var outputs = document.querySelectorAll('[data-mime-type="image/svg+xml"]');
  var found = [];
  outputs.forEach(function (el) {
    // nbconvert shows an SVG output either inline or as an <img> with a data: URL.
    var node = el.querySelector('svg, img');
    var r = node ? node.getBoundingClientRect() : {width: 0, height: 0};
    var loaded = !!node && (node.tagName.toLowerCase() === 'svg' ||
                            (node.complete && node.naturalWidth > 0));
    found.push({element: node ? node.tagName.toLowerCase() : null, loaded: loaded,
                width: r.width, height: r.height});
  });
  var pre = document.createElement('pre');
  pre.id = '%s';
  pre.style.display = 'none';
  pre.textContent = JSON.stringify({
    outputs: found,
    height: Math.ceil(document.documentElement.scrollHeight)
  });
  document.body.appendChild(pre);
});
</script>
""" % REPORT_ID


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("browser check: chromium not found (make installs Debian's `chromium`)")


def svg_outputs(nb) -> int:
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if SVG_MIME in (out.get("data") or {}):
                count += 1
    return count


def render(nb, page: Path) -> None:
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    if "</body>" not in body:
        raise SystemExit("browser check: nbconvert produced no </body>")
    page.write_text(body.replace("</body>", MEASURE_JS + "</body>", 1), encoding="utf-8")


def run_chromium(args: list[str], timeout: float = 120) -> str:
    with tempfile.TemporaryDirectory(prefix="nbcheck-chromium-") as profile:
        proc = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited with {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc.stdout


def read_report(dom: str) -> dict | None:
    start = dom.find(f'id="{REPORT_ID}"')
    if start < 0:
        return None
    start = dom.index(">", start) + 1
    end = dom.index("</pre>", start)
    return json.loads(html.unescape(dom[start:end]))


def check_page(page: Path, expected: int, screenshot: Path | None) -> list[str]:
    """Problems found on one rendered page (empty when it is fine)."""
    url = page.resolve().as_uri()
    dom = run_chromium(["--virtual-time-budget=10000", "--dump-dom", url])
    report = read_report(dom)
    if report is None:
        return ["the measuring script did not run (no report in the page)"]
    problems = []
    outputs = report["outputs"]
    if len(outputs) != expected:
        problems.append(f"{expected} SVG outputs in the notebook, {len(outputs)} on the page")
    for i, out in enumerate(outputs):
        if out["element"] is None:
            problems.append(f"SVG output {i}: neither <svg> nor <img> on the page")
        elif not out["loaded"]:
            problems.append(f"SVG output {i}: the image did not load or has no intrinsic size")
        elif out["width"] <= 0 or out["height"] <= 0:
            problems.append(f"SVG output {i}: rendered size {out['width']}x{out['height']}")
    if screenshot is not None:
        height = max(600, min(int(report["height"]), 16000))
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        run_chromium(
            [f"--screenshot={screenshot}", f"--window-size=1280,{height}", "--virtual-time-budget=10000", url]
        )
        if not screenshot.exists() or screenshot.stat().st_size == 0:
            problems.append(f"no screenshot written to {screenshot}")
    return problems


def check_notebook(path: Path, out: Path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    page = out / "html" / (path.stem + ".html")
    page.parent.mkdir(parents=True, exist_ok=True)
    render(nb, page)
    return check_page(page, svg_outputs(nb), out / "screenshots" / (path.stem + ".png"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/browser", help="where pages and screenshots go")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    out = Path(args.out)
    passed = failed = 0
    if not args.notebooks:
        print("browser check: no executed notebook to check")
    for nb in args.notebooks:
        path = Path(nb)
        count = svg_outputs(nbformat.read(str(path), as_version=4))
        problems = check_notebook(path, out)
        if problems:
            failed += 1
            print(f"FAIL {path}:\n  " + "\n  ".join(problems))
        else:
            passed += 1
            print(f"ok   {path}: {count} SVG output(s) rendered with a size; "
                  f"screenshot {out / 'screenshots' / (path.stem + '.png')}")
    print(f"browser-check: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
