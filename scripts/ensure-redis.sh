#!/usr/bin/env bash
# The Valkey hot-state backend runs a real server locally: `valkey-server`, or Debian's `redis-server` (same
# protocol and commands for what we use). Installs Debian's package when neither is there and we may (root with
# apt); otherwise says what to install. `--if-valkey` (for `npm run dev`): only when CHAT_HOT_STATE=valkey.
set -euo pipefail
if [ "${1:-}" = "--if-valkey" ] && [ "${CHAT_HOT_STATE:-}" != "valkey" ]; then exit 0; fi
if command -v valkey-server >/dev/null || command -v redis-server >/dev/null; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing redis-server for the Valkey hot-state backend..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  exit 0
fi
echo "The Valkey hot-state backend needs valkey-server or redis-server on the PATH. Install one and run again." >&2
exit 1
