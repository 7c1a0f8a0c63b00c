#!/usr/bin/env bash
# Debian packages the tests need, installed by the project itself (CI calls this before `npm test`):
# chromium for the dashboard's browser tests, iproute2 for tests with nodes in network namespaces.
# Skips what is already there; needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
