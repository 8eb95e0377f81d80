#!/usr/bin/env bash
# Benchmarks the gateway against the limits of the machine it runs on (see docs/benchmarks.md):
# fan-out, consume side, latency at half the maximum sustainable rate, idle connections, reconnect storm,
# scale-out, devices away longer than the replay window resuming at once (deep-resume, and the heap as the time
# away grows: deep-heap), each against a baseline measured in the same run, REPEATS times. The scenarios are code:
# ai.kull.sync.loadgen.bench (Main bench). This wrapper rebuilds what is missing or older than its sources,
# raises the open-files limit, and runs it; settings are env vars (SCENARIOS, REPEATS, FANOUT_USERS, ...)
# or flags (--fanout-users 300); `bench/run.sh --help` lists them with their defaults.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/local/stale.sh"

stale_modules=() why=""
for module in gateway-service local-kafka loadgen; do
  artifact=$ROOT/$module/target/classpath.txt
  [[ $module != gateway-service ]] || artifact=$ROOT/$module/target/quarkus-app/quarkus-run.jar
  reason=$(stale "$module" "$artifact")
  [[ -z $reason ]] || { stale_modules+=("$module"); why+="${why:+; }$reason"; }
done
if ((${#stale_modules[@]})); then
  modules=$(IFS=,; echo "${stale_modules[*]}")
  echo "[bench] building ($why): ./mvnw -q -B -ntp -DskipTests package -pl $modules -am"
  (cd "$ROOT" && ./mvnw -q -B -ntp -DskipTests package -pl "$modules" -am)
fi

ulimit -n "$(ulimit -Hn)" # one file per session: the connections scenario needs the hard limit
exec java -Xmx256m -Dbench.root="$ROOT" -cp "$ROOT/loadgen/target/classes:$(cat "$ROOT/loadgen/target/classpath.txt")" \
  ai.kull.sync.loadgen.Main bench "$@"
