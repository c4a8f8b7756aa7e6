#!/usr/bin/env bash
# Installs what the browser test needs on a fresh Debian machine: Debian's headless Chromium
# (Playwright's own browser download cannot run offline). Skipped quietly when Chromium is
# already there; the browser test skips itself with a reason when neither is available.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "install-test-deps: chromium not installed and no root; the browser test will be skipped" >&2
fi
