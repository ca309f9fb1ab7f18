# Quick start: `make demo` (set up, then run the demo) and `make test` (set up, then run every test).
.PHONY: setup demo test bench lock

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/witness demo

test: setup
	bash scripts/test.sh

bench: setup
	.venv/bin/python bench/run_all.py

lock:
	bash scripts/lock.sh
