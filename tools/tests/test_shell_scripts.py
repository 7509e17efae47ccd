"""Tests of the shell scripts in tools/: every one parses (`bash -n`) and is executable, and the
kernel launcher, the kernelspec installer and the timing wrappers do what they say, run in a
temporary folder with stand-ins for evcxr_jupyter, rustc and cc."""

import fcntl
import json
import os
import subprocess
import sys

import pytest

from conftest import TOOLS

SCRIPTS = sorted(
    p for p in TOOLS.rglob("*")
    if p.is_file() and "tests" not in p.parts[len(TOOLS.parts):]
    and p.read_bytes()[:64].startswith((b"#!/usr/bin/env bash", b"#!/bin/bash"))
)
LAUNCHER = TOOLS / "kernel" / "evcxr-kernel"
INSTALLER = TOOLS / "kernel" / "install-kernelspec"
TIMING = TOOLS / "bench" / "timing"


def test_the_known_scripts_are_found():
    names = {p.relative_to(TOOLS).as_posix() for p in SCRIPTS}
    assert {"kernel/evcxr-kernel", "kernel/install-kernelspec", "bench/run",
            "bench/timing/rustc-wrapper", "bench/timing/link-timer",
            "kernel/build-evcxr"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(TOOLS).as_posix())
def test_script_parses_and_is_executable(script):
    proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert os.access(script, os.X_OK)


def stand_in(path, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)
    return path


@pytest.fixture
def kernel_env(tmp_path):
    """A cache folder, and an evcxr_jupyter (D2L_EVCXR_JUPYTER) that prints what it was started
    with."""
    cargo = tmp_path / "cargo"
    evcxr = stand_in(cargo / "bin" / "evcxr_jupyter", """\
echo "tmpdir=$EVCXR_TMPDIR"
echo "config=$EVCXR_CONFIG_DIR"
echo "rustflags=${RUSTFLAGS-unset} profile=${CARGO_PROFILE_DEV_OPT_LEVEL-unset}"
echo "args=$*"
""")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "CARGO_HOME": str(cargo),
        "D2L_EVCXR_JUPYTER": str(evcxr),
        "D2L_EVCXR_CACHE": str(tmp_path / "cache"),
        "RUSTFLAGS": "-Ctarget-cpu=native",
        "CARGO_PROFILE_DEV_OPT_LEVEL": "3",
    }
    return env, tmp_path / "cache"


def launch(env, **extra):
    proc = subprocess.run([str(LAUNCHER), "conn.json"], env={**env, **extra},
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return dict(line.split("=", 1) for line in proc.stdout.splitlines())


def test_launcher_takes_slot_0_with_the_project_settings(kernel_env):
    env, cache = kernel_env
    got = launch(env)
    assert got["tmpdir"] == str(cache / "slot-0")
    assert got["config"] == str(TOOLS / "kernel" / "evcxr")
    assert got["rustflags"] == "unset profile=unset"
    assert got["args"] == "--control_file conn.json"
    assert (cache / "slot-0").is_dir()
    assert (cache / ".cargo" / "config.toml").read_bytes() == \
        (TOOLS / "kernel" / "evcxr" / "cargo-config.toml").read_bytes()


def test_launcher_skips_a_slot_in_use(kernel_env):
    env, cache = kernel_env
    cache.mkdir()
    with open(cache / "slot-0.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert launch(env)["tmpdir"] == str(cache / "slot-1")
    assert launch(env)["tmpdir"] == str(cache / "slot-0")


def test_launcher_fills_a_slot_from_a_newer_template_only(kernel_env):
    env, cache = kernel_env
    template = cache / "template"
    (template / "target").mkdir(parents=True)
    (template / "target" / "dep.rlib").write_text("built")
    (template / ".stamp").write_text("1\n")
    launch(env)
    slot = cache / "slot-0"
    assert (slot / "target" / "dep.rlib").read_text() == "built"
    assert (slot / ".stamp").read_text() == "1\n"

    (slot / "cell-output").write_text("kept")
    launch(env)
    assert (slot / "cell-output").exists(), "a slot up to date with the template was refilled"

    (template / ".stamp").write_text("2\n")
    launch(env)
    assert not (slot / "cell-output").exists()
    assert (slot / ".stamp").read_text() == "2\n"


def test_launcher_in_warmup_mode_builds_into_the_template(kernel_env):
    env, cache = kernel_env
    assert launch(env, EVCXR_KERNEL_WARMUP="1")["tmpdir"] == str(cache / "template")


def test_launcher_without_evcxr_says_so(kernel_env, tmp_path):
    env, _ = kernel_env
    env = {**env, "D2L_EVCXR_JUPYTER": str(tmp_path / "empty" / "evcxr_jupyter")}
    proc = subprocess.run([str(LAUNCHER), "conn.json"], env=env, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 1
    assert "evcxr_jupyter not found" in proc.stderr


def test_installer_points_the_kernelspec_at_the_launcher(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    cargo = tmp_path / "cargo"
    evcxr = stand_in(cargo / "bin" / "evcxr_jupyter", """\
[[ "$1" == --install ]] || exit 2
mkdir -p "$JUPYTER_PATH/kernels/rust"
echo '{"argv": ["evcxr_jupyter"]}' >"$JUPYTER_PATH/kernels/rust/kernel.json"
echo logo >"$JUPYTER_PATH/kernels/rust/logo-64x64.png"
""")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CARGO_HOME": str(cargo),
           "D2L_EVCXR_JUPYTER": str(evcxr)}
    proc = subprocess.run([str(INSTALLER), str(venv)], env=env, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    kernel = venv / "share" / "jupyter" / "kernels" / "rust"
    assert json.loads((kernel / "kernel.json").read_text()) == {
        "argv": [str(LAUNCHER), "{connection_file}"],
        "display_name": "Rust",
        "language": "rust",
        "interrupt_mode": "message",
        "metadata": {"kernel_provisioner": {"provisioner_name": "d2l-pool"}},
    }
    assert (kernel / "logo-64x64.png").exists()
    assert "kernel 'rust'" in proc.stdout


def timing_env(tmp_path):
    bin_ = tmp_path / "bin"
    stand_in(bin_ / "cc", 'echo "cc $*" >>"$CALLS"; exit 4\n')
    rustc = stand_in(bin_ / "rustc", 'echo "rustc $*" >>"$CALLS"; exit 3\n')
    env = {"PATH": f"{bin_}:/usr/bin:/bin", "CALLS": str(tmp_path / "calls"),
           "D2L_BENCH_TIMING_LOG": str(tmp_path / "timing.log")}
    return env, rustc


def test_rustc_wrapper_logs_a_crate_and_keeps_the_exit_code(tmp_path):
    env, rustc = timing_env(tmp_path)
    proc = subprocess.run([str(TIMING / "rustc-wrapper"), str(rustc), "--crate-name", "candle",
                           "--emit=dep-info,metadata,link", "src/lib.rs"], env=env)
    assert proc.returncode == 3
    assert (tmp_path / "calls").read_text() == \
        "rustc --crate-name candle --emit=dep-info,metadata,link src/lib.rs\n"
    [line] = (tmp_path / "timing.log").read_text().splitlines()
    kind, crate, start, end, emit, rc = line.split()
    assert (kind, crate, emit, rc) == ("rustc", "candle", "dep-info,metadata,link", "3")
    assert float(start) <= float(end)


def test_rustc_wrapper_links_the_cell_crate_through_link_timer(tmp_path):
    env, rustc = timing_env(tmp_path)
    subprocess.run([str(TIMING / "rustc-wrapper"), str(rustc), "--crate-name", "ctx"], env=env)
    assert (tmp_path / "calls").read_text() == \
        f"rustc --crate-name ctx -Clinker={TIMING}/link-timer\n"


def test_rustc_wrapper_logs_nothing_without_a_crate_name(tmp_path):
    env, rustc = timing_env(tmp_path)
    subprocess.run([str(TIMING / "rustc-wrapper"), str(rustc), "-vV"], env=env)
    assert not (tmp_path / "timing.log").exists()


def test_link_timer_logs_the_link_and_keeps_the_exit_code(tmp_path):
    env, _ = timing_env(tmp_path)
    proc = subprocess.run([str(TIMING / "link-timer"), "-o", "out", "a.o"], env=env)
    assert proc.returncode == 4
    assert (tmp_path / "calls").read_text() == "cc -o out a.o\n"
    [line] = (tmp_path / "timing.log").read_text().splitlines()
    assert line.startswith("link - ")
