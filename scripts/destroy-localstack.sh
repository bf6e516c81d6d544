#!/usr/bin/env bash
# Removes the stack deployed by deploy-localstack.sh.
set -euo pipefail
source "$(dirname "$0")/localstack-env.sh"
require_localstack
npx cdklocal destroy --force -c stage=local -c localstack=true "$@"
rm -f "$localstack_outputs"
