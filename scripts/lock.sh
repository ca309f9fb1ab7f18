#!/usr/bin/env bash
# Refreshes requirements.lock: resolves pyproject.toml's dependencies (with the test extras) from the package
# registry in a throwaway virtualenv, without installing anything, and writes every distribution pip would
# install as `name==version`. Run it after changing dependencies in pyproject.toml, then commit both files
# (tests/test_lock.py fails while they disagree).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q --dry-run --ignore-installed --report "$tmp/report.json" '.[test]'
"$tmp/venv/bin/python" - "$tmp/report.json" > requirements.lock <<'PYEOF'
import json, re, sys
def canonicalize_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()
report = json.load(open(sys.argv[1]))
pins = sorted((canonicalize_name(i["metadata"]["name"]), i["metadata"]["version"]) for i in report["install"]
              if canonicalize_name(i["metadata"]["name"]) not in ("order-witness", "pip"))
print("# Exact versions for a reproducible install: scripts/setup.sh installs these, then the project itself")
print("# (--no-deps). Made by scripts/lock.sh from pyproject.toml (runtime + test extras); do not edit by hand.")
print(f"# Resolved with Python {report.get('environment', {}).get('python_full_version', '?')} "
      f"on {report.get('environment', {}).get('sys_platform', '?')} {report.get('environment', {}).get('platform_machine', '')}.")
for name, version in pins:
    print(f"{name}=={version}")
PYEOF
echo "requirements.lock: $(grep -vc '^#' requirements.lock) pins"
