#!/usr/bin/env bash
# Publishes one NOTIFICATION_NEW to every device of a user through the publish API, with curl only.
# PUBLISH_URL (the publish service), PUBLISH_KEY (your team's key), USER_ID; defaults fit deploy/local/run.sh.
# Exits non-zero, printing the JSON refusal, unless the event is durable.
set -euo pipefail
PUBLISH_URL=${PUBLISH_URL:-http://localhost:8084}
PUBLISH_KEY=${PUBLISH_KEY:-local-notifications-key}
USER_ID=${USER_ID:-user_123}
# A retry of this request with the same key delivers nothing twice: use one key per event you mean to send.
IDEMPOTENCY_KEY=${IDEMPOTENCY_KEY:-export-$(date +%s)}

curl -sS --fail-with-body -X POST "$PUBLISH_URL/api/sync/events" \
  -H "Authorization: Bearer $PUBLISH_KEY" \
  -H 'Content-Type: application/json' \
  -d '{"type":"NOTIFICATION_NEW","to":{"userId":"'"$USER_ID"'"},"data":{"title":"Your export is ready"},"idempotencyKey":"'"$IDEMPOTENCY_KEY"'"}'
echo
