#!/usr/bin/env bash
# System packages the test suite needs, from Debian's archive: Chromium (the HTML report's
# browser test, via scripts/chromium.sh) and Redis (the distributed sweep's queue tests).
# Idempotent; needs root or passwordless sudo when something is missing.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/chromium.sh" >/dev/null
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
