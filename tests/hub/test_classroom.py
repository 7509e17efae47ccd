"""Tests of the class hub's pieces that need no hub running (tools/hub/classroom.py and
hub/jupyterhub_config.py): the settings file, the students' copies of the notebooks, what their
kernels are given, the readability check, and that the hub's configuration names only settings
JupyterHub and its plug-ins really have. `make classroom-bench` runs the real hub."""

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]

sys.path.insert(0, str(ROOT / "tools" / "hub"))
import classroom  # noqa: E402
import shared  # noqa: E402


def test_the_shipped_settings_file_loads():
    settings = classroom.Settings.load(ROOT / "hub" / "settings.toml")
    assert settings.ip == "127.0.0.1"
    assert settings.teachers and settings.unix_prefix


def test_a_misspelt_setting_is_an_error_not_ignored():
    with pytest.raises(ValueError, match="unknown setting"):
        classroom.Settings.from_toml("kernel_pool_sise = 1")


@pytest.mark.parametrize("name", ["Root", "1abc", "a-b", "../etc", "a" * 30])
def test_account_names_are_letters_and_digits(name):
    with pytest.raises(ValueError, match="not a valid account name"):
        classroom.Settings.from_toml(f'students = ["{name}"]')


def test_a_students_copy_points_at_the_shared_crate_and_keeps_their_edits(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell('`:dep d2l = { path = ".." }` in prose'),
                nbformat.v4.new_code_cell(':dep d2l = { path = ".." }\nuse d2l::prelude::*;'),
                nbformat.v4.new_code_cell("let x = 1;")]
    nbformat.write(nb, str(src / "1-a.ipynb"))
    dst = tmp_path / "home" / "notebooks"
    assert classroom.copy_notebooks(src, dst, Path("/srv/d2l")) == [dst / "1-a.ipynb"]
    copy = nbformat.read(str(dst / "1-a.ipynb"), as_version=4)
    assert copy.cells[1].source == ':dep d2l = { path = "/srv/d2l" }\nuse d2l::prelude::*;'
    assert copy.cells[0].source == nb.cells[0].source and copy.cells[2].source == "let x = 1;"
    # the student's edits survive the next login
    copy.cells[2].source = "let x = 2;"
    nbformat.write(copy, str(dst / "1-a.ipynb"))
    assert classroom.copy_notebooks(src, dst, Path("/srv/d2l")) == []
    assert nbformat.read(str(dst / "1-a.ipynb"), as_version=4).cells[2].source == "let x = 2;"


def test_every_shipped_notebook_starts_with_the_line_the_copy_rewrites():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        first = next(c.source for c in nb.cells if c.cell_type == "code")
        assert classroom.student_notebook(first, ROOT) != first, path.name


def test_kernels_get_the_shared_build_and_their_own_slots(tmp_path):
    env = classroom.kernel_env(ROOT, tmp_path, 0)
    assert env["PATH"].split(":")[0] == f"{ROOT}/.cache/hub/rust/bin"
    assert env["D2L_EVCXR_TEMPLATE"] == str(ROOT / ".cache" / "evcxr" / "template")
    assert env["D2L_EVCXR_CACHE"].startswith(str(tmp_path))
    assert env["D2L_CARGO_HOME"] == str(ROOT / ".cache" / "cargo")
    assert env["D2L_KERNEL_POOL_SIZE"] == "0"


def test_the_check_names_what_other_accounts_cannot_read(tmp_path):
    root = tmp_path / "repo"
    for rel in ["src", ".venv-hub/bin", ".cache/evcxr/template", ".cache/cargo",
                ".cache/rust-analysis-src/library", ".cache/evcxr-jupyter/bin", "tools/kernel"]:
        (root / rel).mkdir(parents=True)
    for rel in ["Cargo.toml", ".venv-hub/bin/python", ".cache/evcxr-jupyter/bin/evcxr_jupyter",
                "tools/kernel/evcxr-kernel"]:
        (root / rel).write_text("")
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    assert shared.readable_by_students(root, above_root=False) == []
    os.chmod(root / ".cache" / "cargo", 0o700)
    os.chmod(root / "Cargo.toml", 0o600)
    bad = shared.readable_by_students(root, above_root=False)
    assert any(".cache/cargo" in b and "cannot enter" in b for b in bad), bad
    assert any("Cargo.toml" in b and "cannot read" in b for b in bad), bad


def test_the_hub_configuration_names_only_real_settings(monkeypatch, tmp_path):
    from traitlets.config import Config
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator
    from jupyterhub.proxy import ConfigurableHTTPProxy
    from jupyterhub.spawner import Spawner
    from nativeauthenticator import NativeAuthenticator

    monkeypatch.setenv("D2L_HUB_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("D2L_HUB_BENCH_TOKEN", "x" * 32)
    config = Config()
    path = ROOT / "hub" / "jupyterhub_config.py"
    exec(compile(path.read_text(), str(path), "exec"), {"get_config": lambda: config,
                                                        "__file__": str(path)})
    classes = {cls.__name__: cls for cls in [JupyterHub, ConfigurableHTTPProxy, Authenticator,
                                               NativeAuthenticator, Spawner,
                                               classroom.ClassroomSpawner]}
    assert set(config) <= set(classes), set(config) - set(classes)
    for section, values in config.items():
        traits = classes[section].class_traits(config=True)
        for key in values:
            assert key in traits, f"{section}.{key} is not a JupyterHub setting"
    assert config.JupyterHub.spawner_class is classroom.ClassroomSpawner
    assert {s["name"] for s in config.JupyterHub.services} == {"idle-culler", "classroom-bench"}
