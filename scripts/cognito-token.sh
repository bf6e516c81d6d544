#!/usr/bin/env bash
# Prints an ID token for a test user of the stack's Cognito pool, creating the user first if needed.
# Usage: CHAT_USER_POOL_ID=… CHAT_USER_POOL_CLIENT_ID=… scripts/cognito-token.sh <username>
set -euo pipefail
username=${1:?usage: cognito-token.sh <username>}
pool=${CHAT_USER_POOL_ID:?set CHAT_USER_POOL_ID}
client=${CHAT_USER_POOL_CLIENT_ID:?set CHAT_USER_POOL_CLIENT_ID}
password=${CHAT_TEST_PASSWORD:-Chat-e2e-Passw0rd!}
if ! aws cognito-idp admin-get-user --user-pool-id "$pool" --username "$username" >/dev/null 2>&1; then
  aws cognito-idp admin-create-user --user-pool-id "$pool" --username "$username" --message-action SUPPRESS >/dev/null
  aws cognito-idp admin-set-user-password --user-pool-id "$pool" --username "$username" --password "$password" --permanent
fi
aws cognito-idp initiate-auth --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters "USERNAME=$username,PASSWORD=$password" --query AuthenticationResult.IdToken --output text
