#!/usr/bin/env bash
# The publish API against producing the same events straight to Kafka with common-events' EventPublisher, in the
# same run (single events, batches of 10 and 100; events/s per core, p50/p99 to durable; medians over repeats).
# Code: loadgen's PublishBench. Flags: --seconds 5 (per phase), --repeats 3, --concurrency 4, --out FILE
# (default bench/results/<date>-publish-api.md). About two minutes with the defaults.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/local/stale.sh"

why=""
for module in publish-service local-kafka loadgen; do
  artifact=$ROOT/$module/target/classpath.txt
  [[ $module != publish-service ]] || artifact=$ROOT/$module/target/quarkus-app/quarkus-run.jar
  [[ -n $why ]] || why=$(stale "$module" "$artifact")
done
if [[ -n $why ]]; then
  echo "[publish-bench] building ($why): ./mvnw -q -B -ntp -DskipTests package -pl publish-service,local-kafka,loadgen -am"
  (cd "$ROOT" && ./mvnw -q -B -ntp -DskipTests package -pl publish-service,local-kafka,loadgen -am)
fi

exec java -Xmx512m -Dbench.root="$ROOT" -cp "$ROOT/loadgen/target/classes:$(cat "$ROOT/loadgen/target/classpath.txt")" \
  ai.kull.sync.loadgen.Main publish-bench "$@"
