# Sourced by the LocalStack scripts: LocalStack's endpoint and the dummy credentials it accepts.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:4566}
# cdklocal refuses AWS_ENDPOINT_URL without AWS_ENDPOINT_URL_S3. LocalStack's own name has an `s3.` host for
# virtual-hosted buckets; any other endpoint (127.0.0.1, localhost) serves S3 path-style at the same address.
if [[ -z ${AWS_ENDPOINT_URL_S3:-} ]]; then
  if [[ $AWS_ENDPOINT_URL == *://localhost.localstack.cloud* ]]; then
    AWS_ENDPOINT_URL_S3=${AWS_ENDPOINT_URL/:\/\/localhost.localstack.cloud/://s3.localhost.localstack.cloud}
  else
    AWS_ENDPOINT_URL_S3=$AWS_ENDPOINT_URL
  fi
fi
export AWS_ENDPOINT_URL_S3
# Where deploy-localstack.sh writes the stack outputs that test-localstack.sh reads, and the cloud assembly.
localstack_outputs=${CHAT_STACK_OUTPUTS:-localstack-outputs.json}
cdk_out=${CHAT_CDK_OUT:-cdk.out}

require_localstack() {
  local host
  host=$(sed -E 's#^[a-z]+://([^:/]+).*#\1#' <<<"$AWS_ENDPOINT_URL")
  if ! getent hosts "$host" >/dev/null; then
    echo "The host name $host (from AWS_ENDPOINT_URL) does not resolve: localhost.localstack.cloud needs DNS." >&2
    echo "Point the scripts at LocalStack by address instead: AWS_ENDPOINT_URL=http://127.0.0.1:4566" >&2
    exit 1
  fi
  if ! curl -fsS "$AWS_ENDPOINT_URL/_localstack/health" >/dev/null; then
    echo "LocalStack is not answering at $AWS_ENDPOINT_URL: is it running? Its images need LOCALSTACK_AUTH_TOKEN" >&2
    echo "set (localstack start -d). Without DNS for localhost.localstack.cloud, use AWS_ENDPOINT_URL=http://127.0.0.1:4566." >&2
    exit 1
  fi
}
