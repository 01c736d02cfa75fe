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

# The bundled scenario, its hypothetical example evidence (scenarios/examples/) and the reports.
IRAQ := scenarios/iraq_us_withdrawal_2025.yaml
EXAMPLE := scenarios/examples/hypothetical_evidence_2026.yaml
REPORTS := reports/iraq_us_withdrawal_2025

demo: $(STAMP)
	$(BIN)/sim validate scenarios/*.yaml
	$(BIN)/sim validate $(IRAQ) --evidence $(EXAMPLE)
	$(BIN)/sim run $(IRAQ) --all-variants --runs 40000
	$(BIN)/sim run $(IRAQ) --evidence $(EXAMPLE) --runs 100000 --out $(REPORTS)/example_evidence
	$(BIN)/sim history $(IRAQ) --evidence $(EXAMPLE) --runs 100000 --out $(REPORTS)/example_evidence/history
	$(BIN)/sim report $(REPORTS)/example_evidence
	$(BIN)/sim signposts $(IRAQ) --evidence $(EXAMPLE) --runs 20000 --top 3 --out $(REPORTS)/example_evidence/signposts
	$(BIN)/sim sensitivity $(IRAQ) --method tornado --runs 2000 --no-evidence
	@echo "Open $(REPORTS)/base/report.html (base case, given the sourced evidence),"
	@echo "$(REPORTS)/comparison/report.html (variants),"
	@echo "$(REPORTS)/example_evidence/report.html (with the hypothetical example evidence:"
	@echo "the history chart and what to watch; candidate signposts in signposts/signposts.yaml) and"
	@echo "$(REPORTS)/base/tornado/report.html (tornado of the model alone)."

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

# the tests spread over the machine's cores, a test module per worker (its fixtures with it)
test: $(STAMP) lint
	$(BIN)/pytest -n auto --dist loadfile

clean:
	rm -rf $(VENV) build *.egg-info
