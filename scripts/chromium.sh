#!/usr/bin/env bash
# Makes sure Debian's chromium is installed at /usr/bin/chromium, which the report's browser test
# drives headless (playwright-core never downloads a browser of its own).
# Usage: bash scripts/chromium.sh        (needs root or passwordless sudo when chromium is missing)
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  "$CHROMIUM" --version 2>/dev/null || echo "chromium present at $CHROMIUM"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "chromium.sh: $CHROMIUM is missing and this user cannot install packages (not root, no sudo)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: apt-get not found; install chromium with this system's package manager so that $CHROMIUM exists" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core

if [ ! -x "$CHROMIUM" ]; then
  echo "chromium.sh: the chromium package installed but $CHROMIUM is absent" >&2
  exit 1
fi
"$CHROMIUM" --version 2>/dev/null || true
