#!/usr/bin/env bash
# Deploys the stack to a running LocalStack (needs a plan with API Gateway v2 and Cognito) and fails loudly
# when an output is missing: LocalStack's CloudFormation silently skips resource types its plan lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
endpoint=${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:4566}
if ! curl -fsS "$endpoint/_localstack/health" >/dev/null; then
  echo "LocalStack is not answering at $endpoint (start it with LOCALSTACK_AUTH_TOKEN set)." >&2
  exit 1
fi
outputs=cdk.out/localstack-outputs.json
npx cdklocal bootstrap
npx cdklocal deploy --require-approval never --outputs-file "$outputs" -c stage=local "$@"
node -e '
  const outputs = Object.values(require(process.argv[1]))[0] ?? {};
  const missing = ["WebSocketUrl", "HttpApiUrl", "TableName"].filter((name) => !outputs[name]);
  if (missing.length > 0) {
    console.error(`Deployed, but without ${missing.join(", ")}: this LocalStack plan lacks API Gateway v2 (or Cognito).`);
    process.exit(1);
  }
  console.log(JSON.stringify(outputs, null, 2));
' "$PWD/$outputs"
