# tuneconf — `make run` sets up and checks configs/; `make test` sets up and runs everything.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tuneconf-installed
EXT := vscode-extension
EXT_STAMP := $(EXT)/node_modules/.tuneconf-installed
VSIX := dist/tuneconf-0.1.0.vsix

.PHONY: run test setup ext vsix lint typecheck pytest ext-test clean e2e-vscode bench fuzz package-check

run: setup vsix
	@echo "== tuneconf check configs/ (demo_mistakes.yaml has mistakes on purpose) =="
	@$(VENV)/bin/tuneconf check configs/ || test $$? -eq 1

test: setup vsix lint typecheck pytest ext-test

setup: $(STAMP) $(EXT_STAMP)

# The server with its dev tools, plus the recipe runtime (torch, torchtune, torchao) for tests
# that run the real thing beside ours. Only torchao 0.13.0 imports with torch 2.13 here.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0 torchtune==0.6.1
	$(PY) -m pip install --quiet --no-deps torchao==0.13.0
	touch $@

$(EXT_STAMP): $(EXT)/package.json $(EXT)/package-lock.json
	cd $(EXT) && npm ci --no-audit --no-fund
	touch $@

ext: $(EXT_STAMP)
	cd $(EXT) && npm run build

vsix: setup ext
	PYTHON=$(abspath $(PY)) bash $(EXT)/scripts/bundle-libs.sh
	mkdir -p dist
	cd $(EXT) && npm run package -- ../$(VSIX)
	@echo "built $(VSIX)"

lint: $(STAMP)
	$(VENV)/bin/ruff check server tests bench
	$(VENV)/bin/ruff format --check server tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest -q

ext-test: $(EXT_STAMP)
	cd $(EXT) && npm run typecheck && npm run lint && npm test

# The .vsix in a real VS Code (code-server 4.100.3) in headless Chromium; installs what it needs
# into .e2e/ on first use (about 2 minutes), then about a minute; screenshots go to e2e/vscode/out/.
e2e-vscode: vsix
	VSIX=$(abspath $(VSIX)) E2E_PYTHON=$(abspath $(PY)) bash e2e/vscode/run.sh

# Latency and throughput beside the peers (yaml-language-server from npm, a trivial pygls server);
# then the in-server figures (bench/foundation.py, components.py, interpolations.py); writes
# bench/results/latest.json and prints the table and the bullets the README shows. Takes a few minutes.
bench: setup
	$(VENV)/bin/python bench/run.py

# The property-based fuzzing of the test suite, with many more examples.
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz TUNECONF_SERVER_FUZZ=3000 $(VENV)/bin/pytest -q -p no:cacheprovider --timeout=0 tests/fuzz

# python -m build makes a wheel and an sdist; each, in a clean venv (deps from the index), runs
# `tuneconf --version`, `check` and `serve`. About a minute; not part of make test.
package-check: setup
	PYTHON=$(abspath $(PY)) BASE_PYTHON=$(PYTHON) bash e2e/package/check.sh

clean:
	rm -rf $(VENV) $(EXT)/node_modules $(EXT)/dist $(EXT)/bundled dist
