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
# the console's charting library, uPlot (MIT), vendored from the npm registry into the package
# at install time (never committed, never from a CDN): the pinned tarball, checked against its
# pinned sha512, then only the two built files and the licence. Kept when already there, so a
# reinstall works offline.
UPLOT_VERSION=1.6.32
UPLOT_INTEGRITY="sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw=="
VENDOR=shopmind/web/static/vendor
if [ "$(cat "$VENDOR/VERSION" 2>/dev/null)" != "uplot $UPLOT_VERSION $UPLOT_INTEGRITY" ] \
        || [ ! -s "$VENDOR/uPlot.iife.min.js" ] || [ ! -s "$VENDOR/uPlot.min.css" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "warning: no npm; the console's Shop page has no charts until ./install.sh runs" \
             "with npm and the npm registry reachable (it vendors uplot@$UPLOT_VERSION)" >&2
    else
        tmp="$(mktemp -d)"
        trap 'rm -rf "$tmp"' EXIT
        if ! (cd "$tmp" && npm pack "uplot@$UPLOT_VERSION" --silent >/dev/null 2>"$tmp/npm.log"); then
            echo "warning: npm pack uplot@$UPLOT_VERSION failed (registry unreachable?); the" \
                 "console's Shop page has no charts until ./install.sh runs again:" >&2
            tail -3 "$tmp/npm.log" >&2
        else
            got="sha512-$(.venv/bin/python -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' \
                "$tmp/uplot-$UPLOT_VERSION.tgz")"
            if [ "$got" != "$UPLOT_INTEGRITY" ]; then
                echo "error: uplot-$UPLOT_VERSION.tgz is not the pinned tarball" \
                     "(sha512 $got, expected $UPLOT_INTEGRITY); nothing vendored" >&2
                exit 1
            fi
            tar -xzf "$tmp/uplot-$UPLOT_VERSION.tgz" -C "$tmp" \
                package/dist/uPlot.iife.min.js package/dist/uPlot.min.css package/LICENSE
            mkdir -p "$VENDOR"
            cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$VENDOR/"
            cp "$tmp/package/LICENSE" "$VENDOR/uPlot.LICENSE"
            echo "uplot $UPLOT_VERSION $UPLOT_INTEGRITY" >"$VENDOR/VERSION"
            echo "vendored uPlot $UPLOT_VERSION into $VENDOR" >&2
        fi
        rm -rf "$tmp"
        trap - EXIT
    fi
fi
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
# the PostgreSQL store's tests start a real server of their own: Debian's binaries
if [ "${1:-}" = "--dev" ] && ! command -v pg_ctl >/dev/null 2>&1 \
        && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing PostgreSQL for the store's tests (apt-get)" >&2
        apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 \
            || { apt-get update >/dev/null 2>&1 \
                 && apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1; }
    else
        echo "warning: no PostgreSQL server binaries; the PostgreSQL store's tests will be" \
             "skipped (sudo apt-get install postgresql)" >&2
    fi
fi
# the Spark build's tests run Spark local[2], which needs Java 17
if [ "${1:-}" = "--dev" ] && ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Java 17 for the Spark build's tests (apt-get)" >&2
        apt-get install -y --no-install-recommends openjdk-17-jre-headless >/dev/null 2>&1 \
            || { apt-get update >/dev/null 2>&1 \
                 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
                    >/dev/null 2>&1; }
    else
        echo "warning: no java; the Spark build's tests will be skipped" \
             "(sudo apt-get install openjdk-17-jre-headless)" >&2
    fi
fi
echo "shopmind installed in $(pwd)/.venv (run .venv/bin/shopmind --help)" >&2
