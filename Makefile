# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint contracts layout venv clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/sim validate scenarios/*.yaml
	$(BIN)/sim run scenarios/iraq_us_withdrawal_2025.yaml --all-variants --runs 10000
	$(BIN)/sim sensitivity scenarios/iraq_us_withdrawal_2025.yaml --method tornado --runs 2000
	@echo "Open reports/iraq_us_withdrawal_2025/base/report.html (base case),"
	@echo "reports/iraq_us_withdrawal_2025/comparison/report.html (variants) and"
	@echo "reports/iraq_us_withdrawal_2025/base/tornado/report.html (tornado)."

# Style (ruff), the import layers (contracts) and the module sizes and private names (layout)
lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks tools
	$(BIN)/ruff format --check sim tests benchmarks tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/python tools/check_layout.py

# The import layers of pyproject.toml's [tool.importlinter] alone (also run by `lint`)
contracts: $(STAMP)
	$(BIN)/lint-imports --no-cache

# Module and function sizes, private names across modules, alone (also run by `lint`)
layout: $(STAMP)
	$(BIN)/python tools/check_layout.py

test: $(STAMP) lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) build *.egg-info
