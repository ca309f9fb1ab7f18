#!/usr/bin/env bash
# Idempotent set-up on Debian/Ubuntu: system packages, a virtualenv in .venv, the exact dependency versions of
# requirements.lock, then the package itself (editable, with test extras). Fast when everything is already
# present. Needs root or sudo for the system packages. Refresh the lock with scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(chromium tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk xvfb poppler-utils openssl)
PY=${PYTHON:-python3}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's Python needs python3-venv for `python3 -m venv`.
if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then missing+=(python3-venv); fi

if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  if command -v apt-get >/dev/null; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: not a Debian/Ubuntu system; install these yourself: ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Reinstall only when the project definition or the lock changed.
want=$(cat pyproject.toml requirements.lock setup.py | sha256sum | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q --no-deps -r requirements.lock  # exactly the lock, no resolving
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e '.[test]'  # setuptools comes from the lock
  .venv/bin/python -m pip check  # the lock satisfies every declared dependency
  echo "$want" > "$stamp"
fi
