#!/usr/bin/env bash
# DynamoDB Local (shipped as a jar in an npm package) needs Java 17 or newer. Installs Debian's JRE when
# there is none and we may (root with apt); otherwise says what to install.
set -euo pipefail
version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1 || true)
if [ -n "$version" ] && [ "$version" -ge 17 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing a Java runtime for DynamoDB Local..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  exit 0
fi
echo "DynamoDB Local needs Java 17 or newer on the PATH (found: ${version:-none}). Install it and run again." >&2
exit 1
