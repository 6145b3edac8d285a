# tuneconf — `make run` sets up and checks configs/; `make test` sets up and runs everything.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tuneconf-installed
EXT := vscode-extension
EXT_STAMP := $(EXT)/node_modules/.tuneconf-installed
# The version is written once, in server/tuneconf/__init__.py (package.json is checked against it).
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' server/tuneconf/__init__.py)
VSIX := dist/tuneconf-$(VERSION).vsix
# Set-up steps print one line each; pip's, npm's and the packagers' output goes here, shown on failure.
LOG := .work/make.log
step = @mkdir -p $(dir $(LOG)); echo "== $(1)"; ( $(2) ) >>$(LOG) 2>&1 || { tail -n 40 $(LOG); echo "make: $(1) failed (whole log: $(LOG))"; exit 1; }

.PHONY: run test unit setup editor-debs ext vsix lint typecheck pytest ext-test clean e2e-vscode bench fuzz package-check

run: setup vsix
	@echo "== tuneconf check configs/ (demo_mistakes.yaml has mistakes on purpose)"
	@$(VENV)/bin/tuneconf check configs/ || test $$? -eq 1

test: setup vsix lint typecheck pytest ext-test

# The fast inner loop: the core in process (tests/unit, tests/contract), no server process or editor.
unit: $(STAMP)
	$(VENV)/bin/pytest -q -m unit -n 2

setup: $(STAMP) $(HYDRA_STAMP) $(EXT_STAMP) editor-debs

# Debian's Emacs, eglot and yaml-mode for tests/editors/test_emacs.py, from apt-get when one is missing;
# without apt-get or root, a note instead (and that test skips, saying why). Installed: one dpkg query.
EDITOR_DEBS := emacs-nox elpa-eglot elpa-yaml-mode
EDITOR_DEBS_STATE = $(shell dpkg -s $(EDITOR_DEBS) >/dev/null 2>&1 && echo installed || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo missing; } || echo unavailable)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

editor-debs:
	$(if $(filter missing,$(EDITOR_DEBS_STATE)),$(call step,$(EDITOR_DEBS) for the Emacs test (apt-get),$(APT_INSTALL) $(EDITOR_DEBS) || { apt-get update && $(APT_INSTALL) $(EDITOR_DEBS); }))
	$(if $(filter unavailable,$(EDITOR_DEBS_STATE)),@echo "== skipped: $(EDITOR_DEBS) (needs apt-get as root); tests/editors/test_emacs.py will skip")

# The server with its dev tools, plus the recipe runtime (torch, torchtune, torchao) for tests
# that run the real thing beside ours. Only torchao 0.13.0 imports with torch 2.13 here.
$(STAMP): pyproject.toml constraints.txt
	$(call step,python virtual environment ($(VENV)),$(PYTHON) -m venv $(VENV) && $(PY) -m pip install --upgrade pip)
	$(call step,tuneconf and its dev tools (pip),$(PY) -m pip install -c constraints.txt -e '.[dev]')
	$(call step,torch 2.13.0 + torchtune 0.6.1 + torchao 0.13.0 (pip),$(PY) -m pip install -c constraints.txt torch==2.13.0 torchtune==0.6.1 && $(PY) -m pip install --no-deps torchao==0.13.0)
	@touch $@

# Hydra itself, for the tests that compare our static composition and override parsing with
# hydra.compose (run there in a subprocess, never by tuneconf). A venv of its own: hydra-core 1.3 pins
# omegaconf<2.4, and torchtune's side wants 2.4.
HYDRA_VENV := .venv-hydra
HYDRA_STAMP := $(HYDRA_VENV)/.tuneconf-installed
$(HYDRA_STAMP): constraints-hydra.txt
	$(call step,hydra-core 1.3.8 for the composition parity tests ($(HYDRA_VENV)),$(PYTHON) -m venv $(HYDRA_VENV) && $(HYDRA_VENV)/bin/python -m pip install -c constraints-hydra.txt hydra-core omegaconf)
	@touch $@

$(EXT_STAMP): $(EXT)/package.json $(EXT)/package-lock.json
	$(call step,extension dependencies (npm ci),cd $(EXT) && npm ci --no-audit --no-fund)
	@touch $@

ext: $(EXT_STAMP)
	$(call step,extension build (esbuild),cd $(EXT) && npm run build)

vsix: setup ext
	$(call step,server bundled into the extension,PYTHON=$(abspath $(PY)) bash $(EXT)/scripts/bundle-libs.sh)
	$(call step,$(VSIX) (vsce),mkdir -p dist && cd $(EXT) && npm run package -- ../$(VSIX))

lint: $(STAMP)
	$(VENV)/bin/ruff check server tests bench
	$(VENV)/bin/ruff format --check server tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Two workers, as this machine kind has two cores (one process: ~16 min here; two: ~10).
pytest: $(STAMP)
	$(VENV)/bin/pytest -q -n 2

ext-test: $(EXT_STAMP)
	cd $(EXT) && npm run typecheck && npm run lint && npm test

# The .vsix in a real VS Code (code-server 4.100.3) in headless Chromium; installs what it needs
# into .e2e/ on first use (about 2 minutes), then about a minute; screenshots go to e2e/vscode/out/.
e2e-vscode: vsix
	VSIX=$(abspath $(VSIX)) E2E_PYTHON=$(abspath $(PY)) bash e2e/vscode/run.sh

# Latency and throughput beside the peers (yaml-language-server from npm, a trivial pygls server);
# then the in-server figures (bench/parsing.py, dotpaths.py, interpolations.py); writes
# bench/results/latest.json and prints the table and the bullets the README shows. Takes a few minutes.
bench: setup
	$(VENV)/bin/python bench/run.py

# The property-based fuzzing of the test suite, with many more examples.
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz TUNECONF_SERVER_FUZZ=3000 $(VENV)/bin/pytest -q -p no:cacheprovider --timeout=0 -m fuzz

# python -m build makes a wheel and an sdist; each, in a clean venv (deps from the index), runs
# `tuneconf --version`, `check` and `serve`. About a minute; not part of make test.
package-check: setup
	PYTHON=$(abspath $(PY)) BASE_PYTHON=$(PYTHON) bash e2e/package/check.sh

clean:
	rm -rf $(VENV) $(EXT)/node_modules $(EXT)/dist $(EXT)/bundled dist $(LOG)
