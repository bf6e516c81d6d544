#!/usr/bin/env bash
# Runs the end-to-end suite against the stack deploy-localstack.sh deployed; test users go into its Cognito pool.
set -euo pipefail
source "$(dirname "$0")/localstack-env.sh"
require_localstack
# LocalStack polls streams with back-off up to 10 s, so a stream-driven event may take that long.
CHAT_TARGET=deployed CHAT_STACK_OUTPUTS="$localstack_outputs" CHAT_EVENT_TIMEOUT_MS=${CHAT_EVENT_TIMEOUT_MS:-15000} \
  npx vitest run test/e2e "$@"
