"""Tests of the files for a class beyond one machine (hub/k8s): the image runs exactly the setup
a machine runs, and the Zero to JupyterHub values agree with the image and with the repository.
No container runtime or Kubernetes is here, so neither is built or deployed; the values' keys
were checked against the chart's values.schema.yaml when they were written (README, For a
class)."""

import re

import yaml

from conftest import ROOT

K8S = ROOT / "hub" / "k8s"


def dockerfile_runs():
    text = (K8S / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith("RUN ")]


def test_the_image_is_built_by_make_setup():
    runs = dockerfile_runs()
    make = [r for r in runs if r.startswith("make ")]
    assert make == ["make setup && make hub-singleuser"], make
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M))
    assert {"setup", "hub-singleuser"} <= targets


def test_the_image_pins_the_toolchain_the_repository_is_built_with():
    toolchain = next(r for r in dockerfile_runs() if "rustup" in r)
    assert "--default-toolchain 1.95.0" in toolchain and "rust-src" in toolchain
    base = next(ln for ln in (K8S / "Dockerfile").read_text().splitlines() if ln.startswith("FROM"))
    assert base == "FROM python:3.11.7-bookworm"  # the Python requirements.txt was pinned on


def test_the_chart_values_use_the_images_server_and_a_real_start_hook():
    values = yaml.safe_load((K8S / "config.yaml").read_text())
    cmd_line = next(ln for ln in (K8S / "Dockerfile").read_text().splitlines()
                    if ln.startswith("CMD"))
    assert values["singleuser"]["cmd"] in cmd_line
    hook = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    script = hook[1].replace("/opt/d2l/", "")
    assert (ROOT / script).exists() and hook[2] == "copy-notebooks"
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == \
        "nativeauthenticator.NativeAuthenticator"
    assert values["cull"]["enabled"] is True and values["prePuller"]["hook"]["enabled"] is True


def test_the_hub_image_has_the_authenticator_version_the_local_hub_pins():
    pins = dict(ln.split("==") for ln in (ROOT / "requirements-hub.txt").read_text().splitlines()
                if "==" in ln and not ln.startswith("#"))
    head = " ".join((K8S / "config.yaml").read_text().split("hub:")[0].replace("#", "").split())
    assert f"NativeAuthenticator {pins['jupyterhub-nativeauthenticator']}" in head
    assert f"JupyterHub {'.'.join(pins['jupyterhub'].split('.')[:2])}" in head


def test_graded_cells_mark_their_answer_for_nbgrader():
    """Every solution cell of the notebooks keeps its answer between nbgrader's delimiters inside
    a typed `let ... = { ... };`, so that nbgrader's student version (hub/nbgrader_config.py's
    Rust stub in place of the answer) still compiles and stops at the stub; and the config
    gives nbgrader that stub (it has none for Rust)."""
    import json
    cells = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell["cell_type"] == "code":
                cells.append((path.name, meta["grade_id"], "".join(cell["source"])))
    assert len(cells) >= 5, cells
    shape = re.compile(r"^let \w+: [^=]+ = \{\n    // BEGIN SOLUTION\n    .+\n"
                       r"    // END SOLUTION\n\};$", re.M)
    for name, grade_id, source in cells:
        assert shape.search(source), (name, grade_id, source)
    config = {}
    settings = type("Config", (), {})()
    settings.ClearSolutions = type("ClearSolutions", (), {})()
    exec((ROOT / "hub" / "nbgrader_config.py").read_text(), {"get_config": lambda: settings}, config)
    assert "todo!(" in settings.ClearSolutions.code_stub["rust"]
