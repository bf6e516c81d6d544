#!/usr/bin/env bash
# Deploys the stack to a running LocalStack (needs a plan with API Gateway v2 and Cognito) and fails loudly
# when an output is missing: LocalStack's CloudFormation silently skips resource types its plan lacks.
set -euo pipefail
source "$(dirname "$0")/localstack-env.sh"
require_localstack
exec bash scripts/localstack-deploy-steps.sh "$@"
