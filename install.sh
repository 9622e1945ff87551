#!/usr/bin/env bash
# Install shopmind into ./.venv from pinned requirements (PyPI only; no model hub, no CDN).
# Usage: ./install.sh          runtime only
#        ./install.sh --dev    plus test and lint tools
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
REQ=requirements/runtime.txt
if [ "${1:-}" = "--dev" ]; then
    REQ=requirements/dev.txt
fi
# the CPU build of torch first and alone: asked for later, or by another package, pip would
# pull a multi-GB CUDA build
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQ"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
# the web console's tests drive a real browser: Debian's Chromium, through Playwright
if [ "${1:-}" = "--dev" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Chromium for the console's browser tests (apt-get)" >&2
        apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1 \
            || { apt-get update >/dev/null 2>&1 \
                 && apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1; }
    else
        echo "warning: no chromium; the console's browser tests will be skipped" \
             "(sudo apt-get install chromium)" >&2
    fi
fi
echo "shopmind installed in $(pwd)/.venv (run .venv/bin/shopmind --help)" >&2
