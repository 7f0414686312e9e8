# dockopt: every target is a thin call into the package or the CLI.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
NAME ?= sample

.PHONY: setup engine base sample browser report test test-unit clean-images bench

setup: $(BIN)/dockopt  ## create .venv from environment.yml (no conda needed)

$(BIN)/dockopt: environment.yml pyproject.toml
	$(PY) -m venv $(VENV)
	$(PY) helpers/envfile.py environment.yml > $(VENV)/requirements.txt
	$(BIN)/pip install -q -r $(VENV)/requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

engine: setup  ## start a Docker engine if none answers (Debian, root); idempotent
	$(BIN)/dockopt engine up

base: engine  ## build or reuse the registry-free base images
	$(BIN)/dockopt base

sample: setup  ## generate the sample's (never committed) model weights
	$(BIN)/dockopt sample

browser: setup  ## Debian's chromium and poppler for the HTML/PDF checks; axe-core from npm for accessibility
	$(BIN)/python -c "from helpers.engine.debian_packages import ensure; print(ensure('chromium', 'chromium', 'to check the rendered HTML in a real browser'))"
	$(BIN)/python -c "from helpers.engine.debian_packages import ensure; print(ensure('poppler-utils', 'pdftoppm', 'to open the printed PDF report in the tests'))"
	$(BIN)/python -c "from helpers.engine.debian_packages import ensure; print(ensure('npm', 'npm', 'to install axe-core for the accessibility test'))"
	npm install --prefix tests/report --no-audit --no-fund --silent

report: base sample  ## render the sample's report into reports/$(NAME)/
	$(BIN)/dockopt report --out reports/$(NAME)

test: base sample browser  ## the whole suite: unit + integration on the real engine
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: a run that tests nothing proves nothing" >&2; exit 1; fi; \
	exit $$rc

test-unit: setup
	$(BIN)/pytest tests/unit

clean-images: setup  ## remove only what dockopt created (labelled)
	$(BIN)/dockopt clean

bench: base sample
	$(BIN)/python bench/layer_analysis.py
