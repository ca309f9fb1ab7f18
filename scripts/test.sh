#!/usr/bin/env bash
# Runs the whole suite on every core (pytest-xdist, at most 4 workers). Each worker takes whole test files, so a
# module's browser or server starts once; the longest files go first (tests/conftest.py). WITNESS_TEST_WORKERS=0
# runs everything in one process; arguments go to pytest. A run that collects no tests fails (pytest exit code 5).
set -uo pipefail
cd "$(dirname "$0")/.."
workers=${WITNESS_TEST_WORKERS:-$(nproc)}
if [ "$workers" -gt 4 ]; then workers=4; fi
parallel=()
if [ "$workers" -gt 1 ]; then parallel=(-n "$workers" --dist loadfile --no-loadscope-reorder); fi
.venv/bin/python -m pytest "${parallel[@]}" "$@"
rc=$?
if [ "$rc" = 5 ]; then echo "test.sh: pytest collected no tests" >&2; exit 1; fi
exit "$rc"
