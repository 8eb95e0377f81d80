#!/usr/bin/env bash
# Benchmarks the gateway against the limits of the machine it runs on (see the README, "Benchmarks"):
# fan-out, consume side, latency at half the maximum sustainable rate, idle connections, reconnect storm,
# scale-out, each against a baseline measured in the same run, REPEATS times. The scenarios are code:
# ai.kull.sync.loadgen.bench (Main bench). This wrapper rebuilds what is missing or older than its sources,
# raises the open-files limit, and runs it; settings are env vars (SCENARIOS, REPEATS, FANOUT_USERS, ...)
# or flags (--fanout-users 300); `bench/run.sh --help` lists them with their defaults.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/local/stale.sh"

why=$(stale gateway-service "$ROOT/gateway-service/target/quarkus-app/quarkus-run.jar")
[[ -n $why ]] || why=$(stale local-kafka "$ROOT/local-kafka/target/classpath.txt")
[[ -n $why ]] || why=$(stale loadgen "$ROOT/loadgen/target/classpath.txt")
if [[ -n $why ]]; then
  echo "[bench] building ($why): ./mvnw -q -B -DskipTests package -pl gateway-service,local-kafka,loadgen -am"
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package -pl gateway-service,local-kafka,loadgen -am)
fi

ulimit -n "$(ulimit -Hn)" # one file per session: the connections scenario needs the hard limit
cd "$ROOT"
exec java -Xmx256m -cp "$ROOT/loadgen/target/classes:$(cat loadgen/target/classpath.txt)" \
  ai.kull.sync.loadgen.Main bench "$@"
