# tuneconf — `make run` sets up and checks configs/; `make test` sets up and runs everything.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tuneconf-installed
EXT := vscode-extension
EXT_STAMP := $(EXT)/node_modules/.tuneconf-installed
VSIX := dist/tuneconf-0.1.0.vsix

.PHONY: run test setup ext vsix lint typecheck pytest ext-test clean

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
	$(VENV)/bin/ruff check server tests
	$(VENV)/bin/ruff format --check server tests

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest -q

ext-test: $(EXT_STAMP)
	cd $(EXT) && npm run typecheck && npm run lint && npm test

clean:
	rm -rf $(VENV) $(EXT)/node_modules $(EXT)/dist $(EXT)/bundled dist
