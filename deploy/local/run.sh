#!/usr/bin/env bash
# Runs the whole stack locally without Docker: a real Kafka broker, two gateway replicas and the four domain
# services, each as its own process (deploy/local/stack up, which this wraps). Builds what is missing or older than
# its sources, waits until every process is healthy, prints the URLs, the live console's URL on each gateway and an
# admin token for its ops view, then keeps running: a process that exits is reported (STACK_EXITED ...) and the
# others keep running (`deploy/local/stack restart NAME` brings it back). Ctrl-C (or SIGTERM) stops everything,
# services first, broker last.
#
# Ports (all overridable): KAFKA_PORT=9092, GATEWAY_PORTS="8080 8090", CREDIT_PORT=8081, SHOOT_PORT=8082,
# PROMPT_PORT=8083, PUBLISH_PORT=8084, BALANCER_PORT=8000 (a TCP balancer over the gateways, as a Kubernetes Service
# is: a device or the console given its URL moves to the other gateway when its own goes away). Logs and broker
# data go to RUN_DIR (target/local-stack). Also: GATEWAY_AUTH_JWT_SECRET (the local JWT secret), PUBLISH_TEAM_KEYS
# (notifications=local-notifications-key), START_TIMEOUT_SECONDS (180). Further arguments go to `stack up` (deploy/local/stack help).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ARGS=(up --if-stale build)
[[ -z ${KAFKA_PORT:-} ]] || ARGS+=(--kafka-port "$KAFKA_PORT")
[[ -z ${GATEWAY_PORTS:-} ]] || ARGS+=(--gateway-ports "$GATEWAY_PORTS")
[[ -z ${CREDIT_PORT:-} ]] || ARGS+=(--port "credit=$CREDIT_PORT")
[[ -z ${SHOOT_PORT:-} ]] || ARGS+=(--port "shoot=$SHOOT_PORT")
[[ -z ${PROMPT_PORT:-} ]] || ARGS+=(--port "prompt=$PROMPT_PORT")
[[ -z ${PUBLISH_PORT:-} ]] || ARGS+=(--port "publish=$PUBLISH_PORT")
[[ -z ${BALANCER_PORT:-} ]] || ARGS+=(--balancer-port "$BALANCER_PORT")
[[ -z ${PUBLISH_TEAM_KEYS:-} ]] || ARGS+=(--env "publish-service:PUBLISH_TEAM_KEYS=$PUBLISH_TEAM_KEYS")
[[ -z ${GATEWAY_AUTH_JWT_SECRET:-} ]] || ARGS+=(--jwt-secret "$GATEWAY_AUTH_JWT_SECRET")
[[ -z ${RUN_DIR:-} ]] || ARGS+=(--run-dir "$RUN_DIR")
[[ -z ${START_TIMEOUT_SECONDS:-} ]] || ARGS+=(--start-timeout "$START_TIMEOUT_SECONDS")
exec "$ROOT/deploy/local/stack" "${ARGS[@]}" "$@"
