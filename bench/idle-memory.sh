#!/usr/bin/env bash
# Memory per idle WebSocket session on one gateway pod (issue 15), outside the Java benchmark so a single
# setting can be tried quickly: heap used after a full GC and process RSS, with N idle sessions against none.
# With 0 sessions: the JVM's base (RSS, threads, committed memory by area) of a gateway with no session.
#
#   bench/idle-memory.sh [label] [sessions]        # env: GW_OPTS (extra JVM options), GW_ENV (extra env, "K=V K=V"),
#                                                  #      GW_XMX (1g), KAFKA_PORT (19692), GW_PORT (18690), OUT,
#                                                  #      GW_JAR (a copy of quarkus-app, to rebuild meanwhile),
#                                                  #      SETTLE=5 (seconds idle before the figures), HEAPDUMP=1 (an hprof with the sessions open)
# Prints one line "label sessions heapPerSessionB (metric) liveB (jmap -histo:live total) rssPerSessionB ..." and
# keeps the jmap histograms and NMT summaries under $OUT (diff them class by class to see what a session holds).
# Needs gateway-service, loadgen and local-kafka built (-DskipTests package); starts the broker once and leaves it
# running (kill it with: kill $(cat $OUT/kafka.pid)).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LABEL=${1:-run}
SESSIONS=${2:-5000}
KAFKA_PORT=${KAFKA_PORT:-19692}
GW_PORT=${GW_PORT:-18690}
GW_XMX=${GW_XMX:-1g}
OUT=${OUT:-$ROOT/target/idle-memory}
SECRET=bench-secret-bench-secret-bench-secret-01
mkdir -p "$OUT"
RUN="$OUT/$LABEL-$(date +%H%M%S)"
mkdir -p "$RUN"

if ! (echo > /dev/tcp/127.0.0.1/"$KAFKA_PORT") 2>/dev/null; then
  rm -rf "$OUT/kafka-data"
  KAFKA_PORT=$KAFKA_PORT KAFKA_DATA_DIR="$OUT/kafka-data" java -Xmx512m \
    -cp "$ROOT/local-kafka/target/classes:$(cat "$ROOT/local-kafka/target/classpath.txt")" \
    ai.kull.sync.kafka.local.LocalKafkaMain > "$OUT/kafka.log" 2>&1 &
  echo $! > "$OUT/kafka.pid"
  until grep -q LOCAL_KAFKA_READY "$OUT/kafka.log" 2>/dev/null; do sleep 1; done
fi

# shellcheck disable=SC2086
env KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT GATEWAY_POD_ID="mem-$LABEL" GATEWAY_AUTH_JWT_SECRET=$SECRET \
  GATEWAY_DRAIN_PERIOD=1s GATEWAY_SESSION_MAX_PER_USER=50 GATEWAY_ADMISSION_MAX_NEW_PER_SECOND=5000 \
  HTTP_PORT=$GW_PORT ${GW_ENV:-} \
  java -Xmx$GW_XMX -XX:NativeMemoryTracking=summary ${GW_OPTS:-} \
  -jar "${GW_JAR:-$ROOT/gateway-service/target/quarkus-app/quarkus-run.jar}" > "$RUN/gateway.log" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null || true; [ -n "${LG:-}" ] && kill $LG 2>/dev/null || true' EXIT
until curl -sf "http://localhost:$GW_PORT/q/health/ready" > /dev/null; do
  kill -0 $GW || { tail -20 "$RUN/gateway.log"; exit 1; }
  sleep 1
done
sleep 5

snapshot() { # name: full GC, then heap used (metrics), RSS, NMT and a live histogram
  jcmd $GW GC.run > /dev/null
  sleep 2
  curl -s "http://localhost:$GW_PORT/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%d\n", s}' > "$RUN/$1.heap"
  awk '/VmRSS/ {print $2 * 1024}' /proc/$GW/status > "$RUN/$1.rss"
  jcmd $GW VM.native_memory summary > "$RUN/$1.nmt"
  jmap -histo:live $GW > "$RUN/$1.histo"
  # the histogram ran a second full GC: read RSS/heap once more after it, the figures used
  curl -s "http://localhost:$GW_PORT/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%d\n", s}' > "$RUN/$1.heap"
  awk '/VmRSS/ {print $2 * 1024}' /proc/$GW/status > "$RUN/$1.rss"
  awk '/^Threads/ {print $2}' /proc/$GW/status > "$RUN/$1.threads"
  # threads by name, numbers dropped: which pools grew with the sessions
  cat /proc/$GW/task/*/comm | sed -E 's/[-#0-9 ]+$//' | sort | uniq -c | sort -rn > "$RUN/$1.threadnames"
}
snapshot before
nmtArea() { grep -E "^-? *$2 \(" "$1" | sed -E 's/.*committed=([0-9]+)KB.*/\1/'; } # committed KiB of an NMT area
if [ "$SESSIONS" = 0 ]; then # the JVM's base: no session
  kill $GW; wait $GW 2>/dev/null || true
  f="$RUN/before.nmt"
  printf '%s base: rss=%dMiB threads=%s nmtCommittedKiB heap=%s gc=%s metaspace=%s code=%s sharedClasses=%s dir=%s\n' "$LABEL" \
    $(( $(cat "$RUN/before.rss") >> 20 )) "$(cat "$RUN/before.threads")" "$(nmtArea "$f" "Java Heap")" "$(nmtArea "$f" GC)" \
    "$(nmtArea "$f" Metaspace)" "$(nmtArea "$f" Code)" "$(nmtArea "$f" "Shared class space")" "$RUN" | tee -a "$OUT/results.txt"
  exit 0
fi

java -Xmx1g -cp "$ROOT/loadgen/target/classes:$(cat "$ROOT/loadgen/target/classpath.txt")" ai.kull.sync.loadgen.Main \
  --gateways ws://localhost:$GW_PORT --users "$SESSIONS" --devices-per-user 1 --rate 0 --duration 600s \
  --connect-rate 1500 --connect-timeout 180s --jwt-secret $SECRET --user-prefix "mem-$LABEL-" > "$RUN/loadgen.log" 2>&1 &
LG=$!
for _ in $(seq 1 240); do grep -q LOADGEN_CONNECTED "$RUN/loadgen.log" 2>/dev/null && break; sleep 1; done
sleep "${SETTLE:-5}"
OPEN=$(curl -s "http://localhost:$GW_PORT/q/metrics" | awk '/^sync_gateway_sessions[{ ]/ {s += $NF} END {printf "%d\n", s}')
snapshot after
[ -n "${HEAPDUMP:-}" ] && jcmd $GW GC.heap_dump "$RUN/after.hprof" > /dev/null
kill $LG; wait $LG 2>/dev/null || true
LG=
kill $GW; wait $GW 2>/dev/null || true

hb=$(cat "$RUN/before.heap"); ha=$(cat "$RUN/after.heap")
rb=$(cat "$RUN/before.rss"); ra=$(cat "$RUN/after.rss")
nmt() { awk '/^Total:/ {gsub(/committed=|KB/, "", $3); print $3 * 1024}' "$1"; }
nb=$(nmt "$RUN/before.nmt"); na=$(nmt "$RUN/after.nmt")
live() { awk '/^Total/ {print $3}' "$1"; } # bytes of live objects, from jmap -histo:live
lb=$(live "$RUN/before.histo"); la=$(live "$RUN/after.histo")
printf '%s sessions=%d heapB/session=%d liveB/session=%d rssB/session=%d nmtCommittedB/session=%d rss=%d->%d threads=%s->%s dir=%s\n' \
  "$LABEL" "$OPEN" $(( (ha - hb) / OPEN )) $(( (la - lb) / OPEN )) $(( (ra - rb) / OPEN )) $(( (na - nb) / OPEN )) "$rb" "$ra" \
  "$(cat "$RUN/before.threads")" "$(cat "$RUN/after.threads")" "$RUN" | tee -a "$OUT/results.txt"
