#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests, only when it is not there yet
# (apt-get update is slow and needs the network, so a machine that has it skips both).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

sudo_if_needed=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_if_needed=(sudo)
fi

"${sudo_if_needed[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo_if_needed[@]}" apt-get install -y --no-install-recommends chromium
