#!/usr/bin/env bash
# Runs the whole stack locally without Docker: a real Kafka broker, two gateway replicas and
# the three domain services, each as its own process. Builds what is missing or older than its sources
# (deploy/local/stale.sh), waits until every process is healthy, prints the URLs, and stops everything on
# Ctrl-C (or SIGTERM).
#
# Ports (all overridable): KAFKA_PORT=9092, GATEWAY_PORTS="8080 8090", CREDIT_PORT=8081,
# SHOOT_PORT=8082, PROMPT_PORT=8083, PUBLISH_PORT=8084. Logs and broker data go to RUN_DIR (target/local-stack). Prints the live
# console's URL on each gateway and an admin token for its ops view (needs openssl).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KAFKA_PORT=${KAFKA_PORT:-9092}
GATEWAY_PORTS=${GATEWAY_PORTS:-"8080 8090"}
CREDIT_PORT=${CREDIT_PORT:-8081}
SHOOT_PORT=${SHOOT_PORT:-8082}
PROMPT_PORT=${PROMPT_PORT:-8083}
PUBLISH_PORT=${PUBLISH_PORT:-8084}
# The publish API's example team (publish-service/src/main/resources/teams-example.json) and its local key.
PUBLISH_TEAM_KEYS=${PUBLISH_TEAM_KEYS:-notifications=local-notifications-key}
RUN_DIR=${RUN_DIR:-$ROOT/target/local-stack}
START_TIMEOUT_SECONDS=${START_TIMEOUT_SECONDS:-180}
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

PIDS=()
NAMES=()

log() { printf '[local-stack] %s\n' "$*"; }

stop_all() {
  trap - INT TERM EXIT
  if ((${#PIDS[@]})); then
    log "stopping ${#PIDS[@]} processes"
    # Services first, broker last, so they can flush and say goodbye to Kafka.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  log "stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

app_jar() { echo "$ROOT/$1/target/quarkus-app/quarkus-run.jar"; }

source "$ROOT/deploy/local/stale.sh"

# Builds when a jar is missing or older than its sources (never runs a stale jar).
build_if_stale() {
  local why="" module
  for module in gateway-service credit-service shoot-service prompt-service publish-service; do
    [[ -n $why ]] || why=$(stale "$module" "$(app_jar "$module")")
  done
  [[ -n $why ]] || why=$(stale local-kafka "$ROOT/local-kafka/target/classpath.txt")
  if [[ -n $why ]]; then
    log "building ($why): ./mvnw -q -B -DskipTests package"
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
  fi
}

# start NAME LOGFILE COMMAND... : runs a process in the background and remembers it.
start() {
  local name=$1 logfile=$2
  shift 2
  "$@" >"$logfile" 2>&1 &
  PIDS+=($!)
  NAMES+=("$name")
}

fail_with_log() {
  log "$1 is not running (or not ready in time); last lines of $2:"
  tail -n 40 "$2" >&2 || true
  exit 1
}

wait_for_broker() {
  local logfile=$1 deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until grep -q LOCAL_KAFKA_READY "$logfile" 2>/dev/null; do
    kill -0 "${PIDS[0]}" 2>/dev/null || fail_with_log kafka "$logfile"
    ((SECONDS < deadline)) || fail_with_log kafka "$logfile"
    sleep 0.5
  done
}

wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) i
  for i in "${!PIDS[@]}"; do
    local name=${NAMES[$i]} port=${URL_PORTS[$i]:-}
    [[ -n $port ]] || continue
    until curl -fs "http://localhost:$port/q/health/ready" >/dev/null; do
      kill -0 "${PIDS[$i]}" 2>/dev/null || fail_with_log "$name" "$RUN_DIR/logs/$name.log"
      ((SECONDS < deadline)) || fail_with_log "$name" "$RUN_DIR/logs/$name.log"
      sleep 0.5
    done
  done
}

build_if_stale
mkdir -p "$RUN_DIR/logs"

URL_PORTS=("")
start kafka "$RUN_DIR/logs/kafka.log" env KAFKA_PORT="$KAFKA_PORT" KAFKA_DATA_DIR="$RUN_DIR/kafka-data" \
  java -Xmx512m -cp "$ROOT/local-kafka/target/classes:$(cat "$ROOT/local-kafka/target/classpath.txt")" \
  ai.kull.sync.kafka.local.LocalKafkaMain
wait_for_broker "$RUN_DIR/logs/kafka.log"
log "kafka ready on $BOOTSTRAP"

start_service() {
  local name=$1 module=$2 port=$3
  shift 3
  start "$name" "$RUN_DIR/logs/$name.log" env HTTP_PORT="$port" KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" "$@" \
    java -Xmx256m -jar "$(app_jar "$module")"
  URL_PORTS+=("$port")
}

# Local development: the seeds' raw "userId[:deviceId]" tokens are accepted, and JWTs signed with
# GATEWAY_AUTH_JWT_SECRET (a fixed local default) too; a web app on localhost (any port) may call the HTTP API.
JWT_SECRET=${GATEWAY_AUTH_JWT_SECRET:-local-dev-secret-change-me-0123456789}
LOCAL_ORIGINS='/https?://(localhost|127[.]0[.]0[.]1)(:[0-9]+)?/'
for port in $GATEWAY_PORTS; do
  start_service "gateway-$port" gateway-service "$port" GATEWAY_POD_ID="gateway-$port" \
    GATEWAY_AUTH_DEV_TOKENS=true GATEWAY_AUTH_JWT_SECRET="$JWT_SECRET" GATEWAY_CORS_ORIGINS="$LOCAL_ORIGINS"
done
# Domain services: writes without a credential (local only), user reads with the same JWTs as the gateway, and
# CORS for pages on localhost at any port (the live console on the gateways, a web app's dev server; local only too).
SERVICE_AUTH=(SYNC_SERVICE_ALLOW_ANONYMOUS=true SYNC_SERVICE_JWT_SECRET="$JWT_SECRET"
  QUARKUS_HTTP_CORS_ORIGINS="$LOCAL_ORIGINS")
start_service credit-service credit-service "$CREDIT_PORT" "${SERVICE_AUTH[@]}"
start_service shoot-service shoot-service "$SHOOT_PORT" "${SERVICE_AUTH[@]}"
start_service prompt-service prompt-service "$PROMPT_PORT" "${SERVICE_AUTH[@]}"
start_service publish-service publish-service "$PUBLISH_PORT" SYNC_SERVICE_JWT_SECRET="$JWT_SECRET" \
  QUARKUS_HTTP_CORS_ORIGINS="$LOCAL_ORIGINS" \
  PUBLISH_TEAMS_FILE="$ROOT/publish-service/src/main/resources/teams-example.json" PUBLISH_TEAM_KEYS="$PUBLISH_TEAM_KEYS"
wait_until_ready

# An operator's token for the console's ops view and the admin API: an HS256 JWT signed with the local secret,
# groups ["sync-admin"] (the gateway's default admin role), valid 12 hours. Dev tokens never grant admin.
base64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
admin_token() {
  local now header payload
  now=$(date +%s)
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | base64url)
  payload=$(printf '{"sub":"local-operator","groups":["sync-admin"],"iat":%d,"exp":%d}' "$now" $((now + 43200)) | base64url)
  printf '%s.%s.%s' "$header" "$payload" \
    "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -mac HMAC -macopt key:"$JWT_SECRET" -binary | base64url)"
}
ADMIN_TOKEN=$(admin_token)
printf '%s\n' "$ADMIN_TOKEN" >"$RUN_DIR/admin-token"
# The console finds the services on the page's host at the default ports; other ports go in its URL.
CONSOLE_QUERY=""
[[ $CREDIT_PORT == 8081 ]] || CONSOLE_QUERY+="&credit=http://localhost:$CREDIT_PORT"
[[ $SHOOT_PORT == 8082 ]] || CONSOLE_QUERY+="&shoot=http://localhost:$SHOOT_PORT"
[[ $PROMPT_PORT == 8083 ]] || CONSOLE_QUERY+="&prompt=http://localhost:$PROMPT_PORT"
[[ $PUBLISH_PORT == 8084 ]] || CONSOLE_QUERY+="&publish=http://localhost:$PUBLISH_PORT"
[[ -z $CONSOLE_QUERY ]] || CONSOLE_QUERY="?${CONSOLE_QUERY#&}"

log "all ${#PIDS[@]} processes healthy"
for port in $GATEWAY_PORTS; do log "gateway        ws://localhost:$port/ws?token=user_123:iphone_456   http://localhost:$port/api/sync/status"; done
log "credit-service http://localhost:$CREDIT_PORT/q/swagger-ui"
log "shoot-service  http://localhost:$SHOOT_PORT/q/swagger-ui"
log "prompt-service http://localhost:$PROMPT_PORT/q/swagger-ui"
log "publish API    http://localhost:$PUBLISH_PORT/q/swagger-ui   team notifications, key ${PUBLISH_TEAM_KEYS#*=}"
log "kafka          $BOOTSTRAP      logs: $RUN_DIR/logs"
for port in $GATEWAY_PORTS; do
  log "console        http://localhost:$port/console/$CONSOLE_QUERY   (sign in with a dev token such as user_123:laptop)"
done
log "admin token    $ADMIN_TOKEN"
log "               (for the console's Ops view and /api/admin; also in $RUN_DIR/admin-token)"
log "LOCAL_STACK_READY (Ctrl-C stops everything)"

# Stay in the foreground; if any process dies, say so and take the rest down.
while true; do
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      fail_with_log "${NAMES[$i]}" "$RUN_DIR/logs/${NAMES[$i]}.log"
    fi
  done
  sleep 1
done
