package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.BareConsumer;
import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Map;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * 2. Consume side: how fast a pod with no matching session reads and filters a backlog of CONSUME_RECORDS, against
 * a bare KafkaConsumer with the gateway's settings. Both consumers are started and warmed on live records first
 * (JIT), then paused (SIGSTOP) while the backlog is produced, and resumed one after the other, so each reads the
 * same backlog warm and alone.
 */
final class Consume implements Scenario {

    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        Processes p = r.processes;
        int records = s.integer("CONSUME_RECORDS");
        int rate = s.integer("CONSUME_RATE");
        log("2. consume side: a pod with no matching session and a bare consumer read %d records", records);
        Server pod = p.pod("gw-consume", Map.of());
        ManagedProcess bare = p.loadgenInBackground("consume-bare", "bare-consumer", "--bootstrap", p.bootstrap,
                "--from", "burst", "--records", "" + records);
        try {
            bare.awaitLogLine("BARE_CONSUMER_READY", Repeat.withSlack(0));
            warmUp(r, pod, bare);
            measure(r, pod, bare, records, rate);
        } finally {
            pod.stop();
            Processes.stop(bare);
        }
    }

    /** Live records to both consumers, until each has read them (its log line; the pod's own consumer metric). */
    private static void warmUp(Repeat r, Server pod, ManagedProcess bare) throws IOException {
        int warmup = r.settings.integer("CONSUME_WARMUP_SECONDS");
        long readBefore = PodMetrics.recordsConsumed(pod.metrics());
        JsonNode produced = r.processes.loadgen("consume-warmup", Repeat.withSlack(warmup + 60), "--gateways",
                "", "--users", "2000", "--rate", "30000", "--duration", warmup + "s", "--bootstrap",
                r.processes.bootstrap, "--user-prefix", "nobody-warm-");
        // Warm: it read WARMUP_RECORDS and then none for three seconds. Paused before, it would take the backlog's
        // first records for the warm-up's and wait for more than will come.
        double published = num(produced, "published");
        if (published < BareConsumer.WARMUP_RECORDS) {
            throw new ProcessFailure("consume: the warm-up published " + (long) published + " records, fewer than the "
                    + BareConsumer.WARMUP_RECORDS + " the bare consumer warms on (raise CONSUME_WARMUP_SECONDS)");
        }
        bare.awaitLogLine("BARE_CONSUMER_WARM", Repeat.withSlack(0));
        Processes.await(pod.process(), "the pod has read the warm-up's " + (long) published + " records",
                Repeat.withSlack(0), () -> PodMetrics.recordsConsumed(pod.metrics()) - readBefore >= published);
    }

    private static void measure(Repeat r, Server pod, ManagedProcess bare, int records, int rate) throws IOException {
        Processes p = r.processes;
        boolean jfr = r.settings.integer("BENCH_JFR") == 1;
        if (jfr) {
            p.jcmd(pod.process(), "JFR.start", "name=consume", "settings=profile");
        }
        long consumedBefore = PodMetrics.recordsConsumed(pod.metrics());
        pod.process().signal("STOP");
        bare.signal("STOP");
        // The bare consumer waits for CONSUME_RECORDS: when the producer falls behind its rate (a loaded
        // machine), top the backlog up rather than leave it waiting; the pod is timed over all of it.
        long backlog = 0;
        for (int part = 1; backlog < records; part++) {
            if (part > 5) {
                throw new ProcessFailure("consume: 5 produce runs published only " + backlog + " of " + records
                        + " records (CONSUME_RATE " + rate + "/s is more than this machine produces)");
            }
            int duration = (int) Math.max(1, (records - backlog + rate - 1) / rate);
            JsonNode produced = p.loadgen(part == 1 ? "consume-produce" : "consume-produce-" + part,
                    Repeat.withSlack(duration + 60), "--gateways", "", "--users", "2000", "--rate", "" + rate,
                    "--duration", duration + "s", "--bootstrap", p.bootstrap, "--user-prefix", "nobody-");
            backlog += (long) num(produced, "published");
        }
        bare.signal("CONT");
        p.finish(bare, Repeat.withSlack(records / 10_000), 8);
        JsonNode watched = p.loadgen("consume-gateway", Repeat.withSlack(records / 10_000), "watch-consumed",
                "--metrics-url", pod.metricsUrl(), "--base", "" + consumedBefore,
                "--records", "" + backlog, "--resume-pid", "" + pod.process().pid());
        if (jfr) {
            p.jcmd(pod.process(), "JFR.stop", "name=consume", "filename=" + p.dir.resolve("consume-gateway.jfr"));
        }
        double gatewayRate = num(watched, "recordsPerSecond");
        double bareRate = num(p.json("consume-bare"), "recordsPerSecond");
        r.table.add("consume", Fig.of("2. consume side: records/s read and filtered ({} records backlog, no matching "
                        + "session, both warmed)", backlog), Fig.of("{}", gatewayRate), Fig.of("{}", bareRate),
                Fig.of("{2}", gatewayRate / bareRate), ">= 0.8");
    }
}
