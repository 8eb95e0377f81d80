#!/usr/bin/env bash
# Benchmarks the gateway against the limits of the machine it runs on, every figure measured in this run:
#   1. fan-out      gateway deliveries/s to S sessions vs a bare Vert.x server pushing the same frames
#   2. consume side a pod with no matching session reading a backlog vs a bare KafkaConsumer
#   3. latency      p99 the gateway adds over a bare consumer's produce-to-consume, at half the maximum
#                   sustainable rate (found by stepping down from the fan-out maximum)
#   4. connections  idle sessions on one pod, heap per session
#   5. storm        sessions reconnecting with resume at once: time until all resumed
#   6. scale-out    the same load over 1, 2 and 3 gateway pods
# Starts a real broker (local-kafka), gateway pods and the loadgen as separate processes on loopback,
# builds what is missing, and writes bench/results/<date>.md (plus the raw JSON under RUN_DIR).
# Every size is an env var (defaults below, chosen for a 2-core machine; about 10 minutes).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN_DIR=${RUN_DIR:-$ROOT/target/bench}
RESULTS=${RESULTS:-$ROOT/bench/results/$(date -u +%Y-%m-%d).md}
KAFKA_PORT=${KAFKA_PORT:-19192}
BASE_PORT=${BASE_PORT:-18180}
GATEWAY_XMX=${GATEWAY_XMX:-1g}
LOADGEN_XMX=${LOADGEN_XMX:-1g}
# Extra JVM options for the gateway pods and the load generator (GC logs, profilers), empty by default.
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:-}
JWT_SECRET=bench-secret-bench-secret-bench-secret-01
# 1 + 3: S = FANOUT_USERS x FANOUT_DEVICES sessions; FANOUT_RATE events/s offered (x devices deliveries/s).
FANOUT_USERS=${FANOUT_USERS:-200}
FANOUT_DEVICES=${FANOUT_DEVICES:-10}
FANOUT_RATE=${FANOUT_RATE:-8000}
FANOUT_SECONDS=${FANOUT_SECONDS:-20}
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
# 3: each step of the search for the maximum sustainable rate, and the p99 it may not exceed.
SUSTAIN_SECONDS=${SUSTAIN_SECONDS:-10}
SUSTAIN_P99_MS=${SUSTAIN_P99_MS:-100}
# Seconds of load before figures are taken (JIT, connection pools), in every load run.
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
# 2: records pre-produced for users nobody is connected as.
CONSUME_RECORDS=${CONSUME_RECORDS:-1200000}
# 2: how fast the backlog is produced, and how long both consumers read live records first (JIT).
CONSUME_RATE=${CONSUME_RATE:-60000}
CONSUME_WARMUP_SECONDS=${CONSUME_WARMUP_SECONDS:-10}
# 4: idle sessions on one pod (split over two loadgen processes: each process may hold ~20k files here).
CONN_SESSIONS=${CONN_SESSIONS:-20000}
# 5: sessions that reconnect at once, at the pod's shipped admission rate unless raised.
STORM_SESSIONS=${STORM_SESSIONS:-10000}
STORM_ADMISSION=${STORM_ADMISSION:-500}
STORM_RATE=${STORM_RATE:-200}
# 6: the same load over 1, 2, 3 pods.
SCALE_USERS=${SCALE_USERS:-200}
SCALE_DEVICES=${SCALE_DEVICES:-6}
SCALE_RATE=${SCALE_RATE:-1000}
SCALE_SECONDS=${SCALE_SECONDS:-15}
SCENARIOS=${SCENARIOS:-"consume fanout latency connections storm scale"}
# 1, 2: record the gateway with JFR during the fan-out and the backlog read, under RUN_DIR.
BENCH_JFR=${BENCH_JFR:-0}

BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
PIDS=()
COMMANDS=()
ROWS=()
NOTES=()

log() { printf '[bench] %s\n' "$*"; }

stop_all() {
  trap - INT TERM EXIT
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# --- build and processes ------------------------------------------------------------------
build_if_missing() {
  if [[ ! -f $ROOT/gateway-service/target/quarkus-app/quarkus-run.jar || ! -f $ROOT/local-kafka/target/classpath.txt \
        || ! -f $ROOT/loadgen/target/classpath.txt ]]; then
    log "building: ./mvnw -q -B -DskipTests package"
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
  fi
}

LOADGEN_CP=""
loadgen_cmd() { printf 'java -Xmx%s %s -cp $LOADGEN_CP ai.kull.sync.loadgen.Main' "$LOADGEN_XMX" "$LOADGEN_JAVA_OPTS"; printf ' %q' "$@"; }

# loadgen NAME ARGS...: runs the loadgen in the foreground, output in RUN_DIR/NAME.log, JSON in RUN_DIR/NAME.json.
loadgen() {
  local name=$1
  shift
  COMMANDS+=("$name: $(loadgen_cmd "$@" --json "$RUN_DIR/$name.json")")
  log "$name: loadgen $*"
  java -Xmx"$LOADGEN_XMX" $LOADGEN_JAVA_OPTS -cp "$LOADGEN_CP" ai.kull.sync.loadgen.Main "$@" --json "$RUN_DIR/$name.json" \
    >"$RUN_DIR/$name.log" 2>&1 || { tail -20 "$RUN_DIR/$name.log"; return 1; }
  grep -v '^\[loadgen' "$RUN_DIR/$name.log" | grep -v SLF4J | tail -40 || true
}

# loadgen_bg NAME ARGS...: the same in the background; its pid in LAST_PID.
loadgen_bg() {
  local name=$1
  shift
  COMMANDS+=("$name: $(loadgen_cmd "$@" --json "$RUN_DIR/$name.json")")
  java -Xmx"$LOADGEN_XMX" $LOADGEN_JAVA_OPTS -cp "$LOADGEN_CP" ai.kull.sync.loadgen.Main "$@" --json "$RUN_DIR/$name.json" \
    >"$RUN_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
}

# loadgen_cpu NAME SERVER_PID ARGS...: like loadgen, and sets CPU_PER_DELIVERY to the server process's CPU
# microseconds per delivery from the moment every session is open to the end of the run.
loadgen_cpu() {
  local name=$1 server=$2
  shift 2
  loadgen_bg "$name" "$@"
  local pid=$LAST_PID
  until grep -q LOADGEN_CONNECTED "$RUN_DIR/$name.log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  local before after
  before=$(awk '{ print $14 + $15 }' "/proc/$server/stat")
  wait "$pid" || { tail -20 "$RUN_DIR/$name.log"; return 1; }
  after=$(awk '{ print $14 + $15 }' "/proc/$server/stat")
  grep -v '^\[loadgen' "$RUN_DIR/$name.log" | grep -v SLF4J | tail -30 || true
  CPU_PER_DELIVERY=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v d="$(jget "$RUN_DIR/$name.json" delivered)" \
    'BEGIN { if (d > 0) printf "%.1f", t * 1e6 / hz / d; else print "n/a" }')
}

start_broker() {
  rm -rf "$RUN_DIR/kafka-data"
  env KAFKA_PORT="$KAFKA_PORT" KAFKA_DATA_DIR="$RUN_DIR/kafka-data" \
    java -Xmx512m -cp "$ROOT/local-kafka/target/classes:$(cat "$ROOT/local-kafka/target/classpath.txt")" \
    ai.kull.sync.kafka.local.LocalKafkaMain >"$RUN_DIR/kafka.log" 2>&1 &
  PIDS+=($!)
  local deadline=$((SECONDS + 120))
  until grep -q LOCAL_KAFKA_READY "$RUN_DIR/kafka.log" 2>/dev/null; do
    ((SECONDS < deadline)) || { tail -20 "$RUN_DIR/kafka.log"; exit 1; }
    sleep 0.5
  done
  log "kafka ready on $BOOTSTRAP"
}

# start_gateway NAME PORT [ENV=VALUE...]: a gateway pod; its pid in LAST_PID. Does not wait.
start_gateway() {
  local name=$1 port=$2
  shift 2
  env HTTP_PORT="$port" KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" GATEWAY_POD_ID="$name" \
    GATEWAY_AUTH_JWT_SECRET="$JWT_SECRET" GATEWAY_DRAIN_PERIOD=1s GATEWAY_SESSION_MAX_PER_USER=50 "$@" \
    java -Xmx"$GATEWAY_XMX" $GATEWAY_JAVA_OPTS -jar "$ROOT/gateway-service/target/quarkus-app/quarkus-run.jar" \
    >"$RUN_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
}

wait_ready() {
  local port=$1 deadline=$((SECONDS + 180))
  until curl -fs "http://localhost:$port/q/health/ready" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "port $port not ready"; exit 1; }
    sleep 0.3
  done
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- figures ------------------------------------------------------------------------------
# jget FILE KEY: the first number after "KEY" in a loadgen JSON file (keys used here are unique).
jget() { grep -o "\"$2\" : [-0-9.eE]*" "$1" | head -1 | sed 's/.* : //'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }

heap_used() { # after a full GC, bytes of heap in use, from the pod's own metrics
  jcmd "$1" GC.run >/dev/null
  sleep 1
  curl -fs "http://localhost:$2/q/metrics" | grep '^jvm_memory_used_bytes{area="heap"' \
    | awk '{ sum += $NF } END { printf "%.0f", sum }'
}

# --- scenarios ----------------------------------------------------------------------------
metric_sum() { # metric_sum PORT NAME: the sum of a metric's untagged-by-topic samples on a pod
  curl -fs "http://localhost:$1/q/metrics" | grep "^$2{" | grep -v 'topic=' | awk '{ sum += $NF } END { printf "%d", sum }'
}

# Both consumers are started and warmed on live records first (JIT), then paused (SIGSTOP) while the
# backlog is produced, and resumed one after the other, so each reads the same backlog warm and alone.
scenario_consume() {
  local port=$((BASE_PORT + 20))
  log "2. consume side: a pod with no matching session and a bare consumer read $CONSUME_RECORDS records"
  start_gateway gw-consume "$port"
  local gateway=$LAST_PID
  wait_ready "$port"
  loadgen_bg consume-bare bare-consumer --bootstrap "$BOOTSTRAP" --from burst --records "$CONSUME_RECORDS"
  local bare=$LAST_PID
  until grep -q BARE_CONSUMER_READY "$RUN_DIR/consume-bare.log" 2>/dev/null; do sleep 0.2; done
  loadgen consume-warmup --gateways "" --users 2000 --rate 30000 --duration "${CONSUME_WARMUP_SECONDS}s" \
    --bootstrap "$BOOTSTRAP" --user-prefix nobody-warm-
  local deadline=$((SECONDS + 60))
  until grep -q BARE_CONSUMER_WARM "$RUN_DIR/consume-bare.log"; do
    ((SECONDS < deadline)) || { log "the bare consumer did not warm up in time"; break; }
    sleep 0.3
  done
  sleep 2 # the pod has read the warm-up too: a warm consumer reads it in well under a second
  if [[ $BENCH_JFR == 1 ]]; then
    jcmd "$gateway" JFR.start name=consume settings=profile >/dev/null
  fi
  local base
  base=$(metric_sum "$port" kafka_consumer_fetch_manager_records_consumed_total)
  kill -STOP "$gateway" "$bare"
  loadgen consume-produce --gateways "" --users 2000 --rate "$CONSUME_RATE" --duration "$((CONSUME_RECORDS / CONSUME_RATE))s" \
    --bootstrap "$BOOTSTRAP" --user-prefix nobody-
  local records
  records=$(jget "$RUN_DIR/consume-produce.json" published)
  kill -CONT "$bare"
  wait "$bare" || true
  grep -v SLF4J "$RUN_DIR/consume-bare.log" | tail -8
  loadgen consume-gateway watch-consumed --metrics-url "http://localhost:$port/q/metrics" --base "$base" \
    --records "$records" --resume-pid "$gateway"
  if [[ $BENCH_JFR == 1 ]]; then
    jcmd "$gateway" JFR.stop name=consume filename="$RUN_DIR/consume-gateway.jfr" >/dev/null
  fi
  stop_pid "$gateway"
  local bare_rate gw_rate
  bare_rate=$(jget "$RUN_DIR/consume-bare.json" recordsPerSecond)
  gw_rate=$(jget "$RUN_DIR/consume-gateway.json" recordsPerSecond)
  row "2. consume side: records/s read and filtered ($records records backlog, no matching session, both warmed)" \
    "$gw_rate" "$bare_rate" "$(ratio "$gw_rate" "$bare_rate")" ">= 0.8"
}

FANOUT_MAX_EVENTS=0
scenario_fanout() {
  local sessions=$((FANOUT_USERS * FANOUT_DEVICES))
  local args=(--users "$FANOUT_USERS" --devices-per-user "$FANOUT_DEVICES" --rate "$FANOUT_RATE"
    --duration "${FANOUT_SECONDS}s" --warmup "${WARMUP_SECONDS}s" --connect-rate 2000 --bootstrap "$BOOTSTRAP" --jwt-secret "$JWT_SECRET")
  log "1. fan-out: $sessions sessions, $FANOUT_RATE events/s offered ($((FANOUT_RATE * FANOUT_DEVICES)) deliveries/s)"
  local port=$((BASE_PORT + 10))
  loadgen_bg bare-server bare-server --port "$port" --bootstrap "$BOOTSTRAP"
  local bare_pid=$LAST_PID
  until grep -q BARE_SERVER_READY "$RUN_DIR/bare-server.log" 2>/dev/null; do sleep 0.3; done
  loadgen_cpu fanout-bare "$bare_pid" --gateways "ws://localhost:$port" "${args[@]}"
  local bare_cpu=$CPU_PER_DELIVERY
  stop_pid "$bare_pid"

  port=$((BASE_PORT + 11))
  start_gateway gw-fanout "$port" GATEWAY_ADMISSION_MAX_NEW_PER_SECOND=5000
  FANOUT_PID=$LAST_PID
  FANOUT_PORT=$port
  wait_ready "$port"
  if [[ $BENCH_JFR == 1 ]]; then
    jcmd "$FANOUT_PID" JFR.start duration=$((FANOUT_SECONDS + 15))s filename="$RUN_DIR/fanout-gateway.jfr" >/dev/null
  fi
  loadgen_cpu fanout-gateway "$FANOUT_PID" --gateways "ws://localhost:$port" "${args[@]}"
  local gateway_cpu=$CPU_PER_DELIVERY
  local bare gw
  bare=$(jget "$RUN_DIR/fanout-bare.json" deliveredPerSecond)
  gw=$(jget "$RUN_DIR/fanout-gateway.json" deliveredPerSecond)
  row "1. fan-out: deliveries/s to $sessions sessions ($((FANOUT_RATE * FANOUT_DEVICES))/s offered)" "$gw" "$bare" \
    "$(ratio "$gw" "$bare")" ">= 0.7"
  row "1. fan-out: server CPU per delivery, microseconds (less is better; independent of the loadgen's share)" \
    "$gateway_cpu" "$bare_cpu" "$(ratio "$bare_cpu" "$gateway_cpu")" ""
  row "1. fan-out: latency p50 / p99 ms (saturated)" \
    "$(jget "$RUN_DIR/fanout-gateway.json" p50) / $(jget "$RUN_DIR/fanout-gateway.json" p99)" \
    "$(jget "$RUN_DIR/fanout-bare.json" p50) / $(jget "$RUN_DIR/fanout-bare.json" p99)" "" ""
  row "1. fan-out: lost / duplicated / misrouted" \
    "$(jget "$RUN_DIR/fanout-gateway.json" lost) / $(jget "$RUN_DIR/fanout-gateway.json" duplicated) / $(jget "$RUN_DIR/fanout-gateway.json" misrouted)" \
    "$(jget "$RUN_DIR/fanout-bare.json" lost) / $(jget "$RUN_DIR/fanout-bare.json" duplicated) / $(jget "$RUN_DIR/fanout-bare.json" misrouted)" "" "0"
  FANOUT_MAX_EVENTS=$(awk -v d="$gw" -v n="$FANOUT_DEVICES" 'BEGIN { printf "%d", d / n }')
}

# The highest offered rate the pod keeps up with: every event delivered to every device within the run and
# the p99 bounded (SUSTAIN_P99_MS). Saturated, the fan-out's p99 is seconds: queues grow for as long as the
# load lasts, so half of that rate is not "half the maximum sustainable rate". Steps down by a fifth at a
# time from the fan-out maximum, or from a fifth below it when the fan-out run itself (20 s at that rate)
# already exceeded the bound; SUSTAINED_EVENTS is the result (events/s, x FANOUT_DEVICES deliveries).
SUSTAINED_EVENTS=0
find_sustainable() {
  local rate=$FANOUT_MAX_EVENTS step=0
  ((rate > 0)) || rate=$FANOUT_RATE
  if awk -v p="$(jget "$RUN_DIR/fanout-gateway.json" p99)" -v max="$SUSTAIN_P99_MS" 'BEGIN { exit !(p > max) }'; then
    rate=$((rate * 4 / 5))
  fi
  while ((rate >= 50)); do
    step=$((step + 1))
    loadgen "sustain-$step" --gateways "ws://localhost:$FANOUT_PORT" --users "$FANOUT_USERS" \
      --devices-per-user "$FANOUT_DEVICES" --rate "$rate" --duration "${SUSTAIN_SECONDS}s" --warmup "${WARMUP_SECONDS}s" \
      --connect-rate 2000 --drain-timeout 5s --bootstrap "$BOOTSTRAP" --jwt-secret "$JWT_SECRET" >/dev/null
    local f="$RUN_DIR/sustain-$step.json" delivered p99 lost
    delivered=$(jget "$f" deliveredPerSecond)
    p99=$(jget "$f" p99)
    lost=$(jget "$f" lost)
    log "sustain $rate events/s: $delivered deliveries/s, p99 $p99 ms, lost $lost"
    if awk -v d="$delivered" -v r="$rate" -v n="$FANOUT_DEVICES" -v p="$p99" -v max="$SUSTAIN_P99_MS" -v l="$lost" \
        'BEGIN { exit !(d >= 0.97 * r * n && p <= max && l == 0) }'; then
      SUSTAINED_EVENTS=$rate
      row "3. maximum sustainable rate: events/s x $FANOUT_DEVICES devices (delivered >= 97% of offered, p99 <= $SUSTAIN_P99_MS ms, none lost; stepped down from the fan-out maximum)" \
        "$rate ($delivered deliveries/s, p99 $p99 ms)" "" "" ""
      return
    fi
    rate=$((rate * 4 / 5))
  done
}

scenario_latency() {
  [[ -n ${FANOUT_PID:-} ]] || { log "latency needs the fan-out scenario"; return; }
  log "3. latency: the maximum sustainable rate, then half of it with a bare consumer alongside"
  find_sustainable
  local rate=$((SUSTAINED_EVENTS / 2))
  ((rate > 0)) || { log "no sustainable rate found"; return; }
  log "3. latency at $rate events/s (half the maximum sustainable), bare consumer alongside"
  loadgen_bg latency-gateway --gateways "ws://localhost:$FANOUT_PORT" --users "$FANOUT_USERS" \
    --devices-per-user "$FANOUT_DEVICES" --rate "$rate" --duration "${LATENCY_SECONDS}s" --warmup "${WARMUP_SECONDS}s" \
    --connect-rate 2000 --bootstrap "$BOOTSTRAP" --jwt-secret "$JWT_SECRET"
  local gateway_pid=$LAST_PID
  # The bare consumer measures the same window: it starts when the sessions are connected and publishing begins.
  until grep -q LOADGEN_CONNECTED "$RUN_DIR/latency-gateway.log" 2>/dev/null; do sleep 0.2; done
  loadgen latency-bare bare-consumer --bootstrap "$BOOTSTRAP" --from end --warmup "${WARMUP_SECONDS}s" \
    --duration "${LATENCY_SECONDS}s"
  wait "$gateway_pid" || true
  grep -v '^\[loadgen' "$RUN_DIR/latency-gateway.log" | grep -v SLF4J | tail -30
  stop_pid "$FANOUT_PID"
  local g50 g99 b50 b99
  g50=$(jget "$RUN_DIR/latency-gateway.json" p50)
  g99=$(jget "$RUN_DIR/latency-gateway.json" p99)
  b50=$(jget "$RUN_DIR/latency-bare.json" p50)
  b99=$(jget "$RUN_DIR/latency-bare.json" p99)
  row "3. latency at $rate events/s x $FANOUT_DEVICES devices, half the maximum sustainable: p50 / p99 ms (publish to device vs publish to bare consumer)" \
    "$g50 / $g99" "$b50 / $b99" "p99 added: $(minus "$g99" "$b99") ms" "<= 5 ms added"
}

scenario_connections() {
  local port=$((BASE_PORT + 30)) half=$((CONN_SESSIONS / 2))
  log "4. connections: $CONN_SESSIONS idle sessions on one pod"
  start_gateway gw-conn "$port" GATEWAY_ADMISSION_MAX_NEW_PER_SECOND=5000
  local pid=$LAST_PID
  wait_ready "$port"
  sleep 2
  local before after
  before=$(heap_used "$pid" "$port")
  local hold=$((60 + CONN_SESSIONS / 200))
  loadgen_bg conn-a --gateways "ws://localhost:$port" --users "$half" --devices-per-user 1 --rate 0 \
    --duration "${hold}s" --connect-rate 1500 --connect-timeout 180s --jwt-secret "$JWT_SECRET" --user-prefix conn-a-
  local a=$LAST_PID
  loadgen_bg conn-b --gateways "ws://localhost:$port" --users "$((CONN_SESSIONS - half))" --devices-per-user 1 \
    --rate 0 --duration "${hold}s" --connect-rate 1500 --connect-timeout 180s --jwt-secret "$JWT_SECRET" \
    --user-prefix conn-b-
  local b=$LAST_PID
  local deadline=$((SECONDS + 200))
  until grep -q LOADGEN_CONNECTED "$RUN_DIR/conn-a.log" 2>/dev/null && grep -q LOADGEN_CONNECTED "$RUN_DIR/conn-b.log" 2>/dev/null; do
    ((SECONDS < deadline)) || break
    sleep 1
  done
  sleep 3
  local open
  open=$(curl -fs "http://localhost:$port/q/metrics" | grep '^sync_gateway_sessions ' | awk '{ printf "%d", $NF }')
  after=$(heap_used "$pid" "$port")
  local per_session
  per_session=$(awk -v a="$after" -v b="$before" -v n="$open" 'BEGIN { if (n > 0) printf "%.1f", (a - b) / n / 1024; else print "n/a" }')
  log "open sessions $open, heap $before -> $after bytes, $per_session KiB per session"
  kill -TERM "$a" "$b" 2>/dev/null || true
  wait "$a" "$b" 2>/dev/null || true
  grep -h LOADGEN_CONNECTED "$RUN_DIR/conn-a.log" "$RUN_DIR/conn-b.log" || true
  stop_pid "$pid"
  row "4. connections: idle sessions open on one pod" "$open" "" "" ">= 20000"
  row "4. connections: heap per idle session (KiB; used heap after full GC, $open sessions vs none)" \
    "$per_session" "" "" "<= 16 KiB"
  row "4. connections: connect time (two loadgen processes, $(grep -ho 'in [0-9.]* s' "$RUN_DIR/conn-a.log" "$RUN_DIR/conn-b.log" | tr '\n' ' '))" "" "" "" ""
}

scenario_storm() {
  local port=$((BASE_PORT + 40))
  log "5. reconnect storm: $STORM_SESSIONS sessions resume at once (admission $STORM_ADMISSION/s)"
  start_gateway gw-storm "$port" GATEWAY_ADMISSION_MAX_NEW_PER_SECOND="$STORM_ADMISSION"
  local pid=$LAST_PID
  wait_ready "$port"
  loadgen storm --gateways "ws://localhost:$port" --users "$((STORM_SESSIONS / 2))" --devices-per-user 2 \
    --rate "$STORM_RATE" --duration 5s --connect-rate "$STORM_ADMISSION" --connect-timeout 180s \
    --reconnect-storm --storm-timeout 180s --bootstrap "$BOOTSTRAP" --jwt-secret "$JWT_SECRET"
  stop_pid "$pid"
  local f="$RUN_DIR/storm.json"
  row "5. storm: seconds until all $STORM_SESSIONS sessions resumed (admission $STORM_ADMISSION/s, $STORM_RATE events/s flowing)" \
    "$(jget "$f" secondsUntilAllResumed)" "" "" "(>= $((STORM_SESSIONS / STORM_ADMISSION)) s by the admission bound)"
  row "5. storm: resumed / resync required / lost / duplicated" \
    "$(jget "$f" resumed) / $(jget "$f" resyncRequired) / $(jget "$f" lost) / $(jget "$f" duplicated)" "" "" "all / 0 / 0 / 0"
}

scenario_scale() {
  local urls="" pods=()
  log "6. scale-out: $SCALE_USERS x $SCALE_DEVICES sessions, $SCALE_RATE events/s over 1, 2, 3 pods"
  for n in 1 2 3; do
    local port=$((BASE_PORT + 50 + n))
    start_gateway "gw-scale-$n" "$port" GATEWAY_ADMISSION_MAX_NEW_PER_SECOND=5000
    pods+=($LAST_PID)
    wait_ready "$port"
    urls="${urls:+$urls,}ws://localhost:$port"
    loadgen "scale-$n" --gateways "$urls" --users "$SCALE_USERS" --devices-per-user "$SCALE_DEVICES" \
      --rate "$SCALE_RATE" --duration "${SCALE_SECONDS}s" --warmup "${WARMUP_SECONDS}s" --connect-rate 2000 --bootstrap "$BOOTSTRAP" \
      --jwt-secret "$JWT_SECRET"
    local f="$RUN_DIR/scale-$n.json"
    row "6. scale-out: $n pod(s): deliveries/s, p50 / p99 ms, lost" \
      "$(jget "$f" deliveredPerSecond), $(jget "$f" p50) / $(jget "$f" p99), $(jget "$f" lost)" "" "" ""
  done
  for pid in "${pods[@]}"; do stop_pid "$pid"; done
}

write_results() {
  mkdir -p "$(dirname "$RESULTS")"
  {
    echo "# Benchmark results $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Written by \`bench/run.sh\` (see the README, \"Load testing and benchmarks\"). Every ratio compares"
    echo "figures measured in this same run, on this machine, with the load generator on the same cores."
    echo
    echo "## Machine"
    echo
    echo '```'
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    free -m
    java -version 2>&1
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "open files limit (soft/hard): $(ulimit -Sn)/$(ulimit -Hn)"
    echo '```'
    echo
    echo "Commit: \`$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet 2>/dev/null || echo ' (with local changes)')\`"
    echo
    echo "Command: \`$BENCH_COMMAND\`"
    echo
    echo "## Figures"
    echo
    echo "| scenario | gateway | baseline | ratio | goal |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    if ((${#NOTES[@]})); then
      echo "## Notes"
      echo
      printf -- '- %s\n' "${NOTES[@]}"
      echo
    fi
    echo "## Exact commands"
    echo
    echo "\`LOADGEN_CP\` is \`loadgen/target/classes\` plus \`loadgen/target/classpath.txt\`; the broker, gateway pods"
    echo "and bare server are started by the script (see \`start_gateway\` in bench/run.sh)."
    echo
    echo '```'
    printf '%s\n' "${COMMANDS[@]}"
    echo '```'
  } >"$RESULTS"
  log "results: $RESULTS"
}

# --- main ---------------------------------------------------------------------------------
BENCH_COMMAND="${BENCH_COMMAND:-bench/run.sh}"
build_if_missing
mkdir -p "$RUN_DIR"
LOADGEN_CP="$ROOT/loadgen/target/classes:$(cat "$ROOT/loadgen/target/classpath.txt")"
if (($(ulimit -Hn) < CONN_SESSIONS + 200)); then
  NOTES+=("Connections: this machine's hard open-files limit is $(ulimit -Hn), so one pod cannot hold $CONN_SESSIONS sessions (one file each, plus its own); the scenario ran with $(($(ulimit -Hn) - 500)). Raise \`ulimit -n\` (as root, or in the pod's spec) to run it at 20,000.")
  CONN_SESSIONS=$(($(ulimit -Hn) - 500))
fi
ulimit -n "$(ulimit -Hn)"
start_broker
for scenario in $SCENARIOS; do
  "scenario_$scenario"
done
write_results
