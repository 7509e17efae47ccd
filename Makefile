# d2l-rs: the two commands are `make lab` and `make test` (see README.md, "Running").
# Every step installs what it needs, pinned, and skips what is already done.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(VENV)/bin:$(CARGO_BIN):$(PATH)

EVCXR_VERSION := 0.22.0
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
FIXTURES := $(sort $(wildcard tests/notebooks/fixtures/*.ipynb))
# Per cell; a cold cache (first :dep cell builds every dependency) needs minutes.
CELL_TIMEOUT := 1800
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Jupyter refuses to run as root unless told (containers and CI machines run as root).
LAB_ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --ServerApp.allow_root=True)

.PHONY: help lab test setup notebooks bench tools-test cargo-test nbtest browser-check \
        rust-src evcxr cell-cache venv kernel chromium warmup clean-cache hub hub-install hub-singleuser hub-test classroom-bench

help:
	@echo "make lab        install everything, then open JupyterLab on notebooks/"
	@echo "make test       install what is needed, then tools/ + cargo + notebook tests + browser check"
	@echo "make setup      install and warm the Rust kernel's build cache (both targets do this)"
	@echo "make notebooks  re-execute every notebook in place (stored outputs = what running gives)"
	@echo "make bench      run the benchmark (tools/bench/run)"
	@echo "make hub        install and start a JupyterHub for a class (README: For a class)"
	@echo "make classroom-bench  simulated students on a hub of its own (BENCHMARKS.md)"
	@echo "make clean-cache  delete the Rust kernel's build cache (.cache/evcxr)"

# ---------------------------------------------------------------- install

rust-src:
	@rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src

# The project's evcxr_jupyter: evcxr 0.22.0 with tools/kernel/evcxr-patch, built into
# .cache/evcxr-jupyter (tools/kernel/build-evcxr says what the patch changes).
evcxr: rust-src
	@tools/kernel/build-evcxr

# The kernel pool (tools/kernel/pool) is installed editable, so that its code is the checkout's.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt tools/kernel/pool/pyproject.toml
	@echo "Installing the Python tools into .venv (requirements.txt, 1-2 min)"
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e tools/kernel/pool
	touch $@

kernel: venv evcxr cell-cache
	@$(PY) tools/kernel/analysis_src.py
	@tools/kernel/install-kernelspec $(VENV)
	@jupyter kernelspec list | grep -q '^ *rust ' || { echo "kernel 'rust' not registered" >&2; exit 1; }

# Headless Chromium for the browser check, and a CJK font so that the Chinese text renders.
BROWSER_PACKAGES := chromium fonts-wqy-microhei
chromium:
	@if dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1; then \
	    echo "$(BROWSER_PACKAGES) already installed"; \
	else \
	    echo "Installing Debian's $(BROWSER_PACKAGES) (browser check)"; \
	    $(SUDO) apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BROWSER_PACKAGES); \
	fi

# The cells' compile cache (tools/kernel/cell-cache), which cargo runs for every cell's crate.
CELL_CACHE := $(ROOT)/.cache/cell-cache/d2l-cell-cache
cell-cache: $(CELL_CACHE)
$(CELL_CACHE): $(wildcard tools/kernel/cell-cache/src/*.rs) tools/kernel/cell-cache/Cargo.toml Cargo.lock
	cargo build --release --locked --quiet -p d2l-cell-cache
	@mkdir -p $(dir $@)
	cp target/release/d2l-cell-cache $@.tmp && mv $@.tmp $@

# Builds the kernel's dependencies once into .cache/evcxr/template (minutes the first time,
# seconds later); every kernel then starts from a copy of it (tools/kernel/evcxr-kernel).
warmup: kernel
	@$(PY) tools/kernel/warmup.py $(NOTEBOOKS) $(FIXTURES)

setup: warmup

# ---------------------------------------------------------------- the two commands

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
lab: setup
	@mkdir -p notebooks $(dir $(LAB_SETTINGS))
	@# no news or update checks: they would ask the internet from a learner's JupyterLab
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_SETTINGS)
	jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(ROOT)/notebooks $(LAB_ROOT_FLAG) \
	    --ServerApp.jpserver_extensions=d2l_kernel_pool=True

test: tools-test cargo-test nbtest browser-check hub-test

# The tests of tools/ itself (tools/tests): seconds, with neither a Rust kernel nor torch.
tools-test: venv
	$(PY) -m pytest -p no:cacheprovider -q tools/tests

cargo-test:
	cargo test --workspace

# Runs every notebook in a fresh kernel and compares each output with the stored one, plus the
# tests of the notebook machinery itself (tests/notebooks, which run the fixtures).
nbtest: setup chromium
	@rm -rf build/executed
	PYTHONPATH=tools/nbtest pytest -p nbcheck -p no:cacheprovider \
	    --nbval --nbval-kernel-name=rust --nbval-cell-timeout=$(CELL_TIMEOUT) \
	    --nbcheck-save=build/executed -v \
	    $(NOTEBOOKS) tests/notebooks --ignore=tests/notebooks/fixtures

browser-check: nbtest chromium
	$(PY) tools/nbtest/browser_check.py --out build/browser $(sort $(wildcard build/executed/*.ipynb))

# ---------------------------------------------------------------- other

notebooks: setup
	@if [ -z "$(NOTEBOOKS)" ]; then echo "no notebooks/*.ipynb"; exit 0; fi; \
	$(PY) tools/nbtest/execute.py $(NOTEBOOKS)

bench:
	@if [ -x tools/bench/run ]; then tools/bench/run; \
	elif [ -f tools/bench/run ]; then bash tools/bench/run; \
	else echo "tools/bench/run does not exist yet"; exit 1; fi

# ---------------------------------------------------------------- a class

# The hub's own environment, .venv-hub: the hub, and every student's server and kernels, run
# from it. It is built on a Python every account can run (tools/hub/shared.py: this machine's
# python3, hard-linked out of root's home if it lives there), with requirements.txt,
# requirements-hub.txt (JupyterHub, its sign-up page, its idle culler) and the kernel pool.
HUB_VENV := $(ROOT)/.venv-hub
hub-install: evcxr $(HUB_VENV)/.installed
	@tools/kernel/install-kernelspec $(HUB_VENV)
$(HUB_VENV)/.installed: requirements.txt requirements-hub.txt tools/kernel/pool/pyproject.toml
	@echo "Installing the class hub's environment into .venv-hub (1-2 min)"
	rm -rf $(HUB_VENV)
	"$$(python3 tools/hub/shared.py python)" -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	    -r requirements.txt -r requirements-hub.txt
	$(HUB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e tools/kernel/pool
	touch $@

# For a container image (hub/k8s/Dockerfile): JupyterHub's single-user server in .venv itself,
# where the image's Python is readable by its one account.
hub-singleuser: venv
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.txt -r requirements-hub.txt

# Runs as root: it makes each student's account and starts their server as it (tools/hub/start).
hub: setup hub-install
	$(SUDO) tools/hub/start

# The class hub for real (tests/hub): accounts, sign-up and login, a notebook run through it.
hub-test: setup hub-install
	$(SUDO) $(HUB_VENV)/bin/python -m pytest -p no:cacheprovider -q tests/hub

classroom-bench: setup hub-install
	$(SUDO) $(HUB_VENV)/bin/python tools/bench/classroom_bench.py

# The kernels' build cache (the template, ~0.8 GB, and a few MB per slot); `make setup` rebuilds it.
clean-cache:
	rm -rf .cache/evcxr
