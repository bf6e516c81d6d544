#!/usr/bin/env bash
# The CDK steps of deploy-localstack.sh with its environment: bootstrap, deploy, then the output check. Apart
# from LocalStack's health check this is the whole deploy, so a test runs it against moto_server.
set -euo pipefail
source "$(dirname "$0")/localstack-env.sh"
context=(-c stage=local -c localstack=true)
npx cdklocal bootstrap --output "$cdk_out" "${context[@]}"
npx cdklocal deploy --require-approval never --output "$cdk_out" --outputs-file "$localstack_outputs" "${context[@]}" "$@"
npx tsx scripts/check-stack-outputs.ts "$localstack_outputs" "$cdk_out"
