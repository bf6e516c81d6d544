#!/usr/bin/env bash
# Deploys the stack to a running LocalStack (needs a plan with API Gateway v2 and Cognito) and fails loudly
# when an output is missing: LocalStack's CloudFormation silently skips resource types its plan lacks.
set -euo pipefail
source "$(dirname "$0")/localstack-env.sh"
require_localstack
npx cdklocal bootstrap
npx cdklocal deploy --require-approval never --outputs-file "$localstack_outputs" -c stage=local -c localstack=true "$@"
npx tsx scripts/check-stack-outputs.ts "$localstack_outputs" cdk.out
