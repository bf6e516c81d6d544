# Sourced by the LocalStack scripts: LocalStack's endpoint and the dummy credentials it accepts.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:4566}
# Where deploy-localstack.sh writes the stack outputs that test-localstack.sh reads.
localstack_outputs=localstack-outputs.json

require_localstack() {
  if ! curl -fsS "$AWS_ENDPOINT_URL/_localstack/health" >/dev/null; then
    echo "LocalStack is not answering at $AWS_ENDPOINT_URL (start it with LOCALSTACK_AUTH_TOKEN set)." >&2
    exit 1
  fi
}
