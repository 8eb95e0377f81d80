package ai.kull.sync.loadgen;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.loadgen.report.Histograms;
import ai.kull.sync.loadgen.report.ReportMerge;
import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.stack.AppLaunch;
import ai.kull.sync.process.stack.StackApps;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A distributed load run on one machine: three loadgen workers as their own processes, started the way the Helm
 * chart's Job starts them (the image's class path, the index in JOB_COMPLETION_INDEX, the token secret in
 * LOADGEN_JWT_SECRET, the report as a line of the log), against one real gateway process and one real broker; then
 * {@code loadgen merge} (a process too) adds their logs up. The merged report must be what they measured together.
 */
class DistributedLoadIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Kept after the run: the merged report, its charts and every process's log. */
    private static final Path OUT = ROOT.resolve("loadgen/target/distributed-load-it");
    private static final String SECRET = "distributed-load-it-secret-0123456789abcdef";
    private static final int WORKERS = 3;
    private static final int USERS_PER_WORKER = 40;
    private static final int DEVICES = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void threeWorkersMergeIntoTheRunTheyMadeTogether() throws Exception {
        Files.createDirectories(OUT);
        LocalKafkaBroker broker = LocalKafkaBroker.startEphemeral();
        started.add(broker);
        int port = FreePorts.take();
        AppLaunch gatewayApp = StackApps.of(ROOT).gateway("gateway-it", port, broker.bootstrapServers(), SECRET);
        ManagedProcess gateway = gatewayApp.start(OUT.resolve("gateway.log"));
        started.add(gateway);
        gatewayApp.awaitReady(gateway, Duration.ofSeconds(90));

        String prefix = "dist" + System.currentTimeMillis() % 100_000 + "-u";
        List<ManagedProcess> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Files.deleteIfExists(OUT.resolve("worker-" + i + ".log"));
            ManagedProcess worker = ManagedProcess.builder("worker-" + i, OUT.resolve("worker-" + i + ".log"),
                            loadgen("run", "--workers", String.valueOf(WORKERS), "--user-prefix", prefix,
                                    "--users", String.valueOf(USERS_PER_WORKER), "--devices-per-user", String.valueOf(DEVICES),
                                    "--rate", "100", "--duration", "6s", "--gateways", "ws://localhost:" + port,
                                    "--bootstrap", broker.bootstrapServers(), "--json", "-"))
                    .env(Map.of("JOB_COMPLETION_INDEX", String.valueOf(i), "LOADGEN_JWT_SECRET", SECRET))
                    .start();
            started.add(worker);
            workers.add(worker);
        }
        List<Path> logs = new ArrayList<>();
        List<JsonNode> reports = new ArrayList<>();
        for (ManagedProcess worker : workers) {
            worker.awaitSuccess(Duration.ofMinutes(3));
            logs.add(worker.log());
            reports.add(ReportMerge.read(worker.log()));
        }

        List<String> merge = new ArrayList<>(List.of("merge"));
        logs.forEach(log -> merge.add(log.toString()));
        merge.addAll(List.of("--out", OUT.resolve("merged.json").toString(), "--charts", OUT.resolve("charts").toString()));
        ManagedProcess merging = ManagedProcess.builder("merge", OUT.resolve("merge.log"), loadgen(merge.toArray(String[]::new)))
                .start();
        started.add(merging);
        merging.awaitSuccess(Duration.ofMinutes(1));
        JsonNode merged = JSON.readTree(OUT.resolve("merged.json").toFile());

        // No user in two workers, and together they hold the users of one run WORKERS times as large.
        for (int i = 0; i < WORKERS; i++) {
            JsonNode range = reports.get(i).path("worker");
            assertThat(range.path("index").asInt()).isEqualTo(i);
            assertThat(range.path("firstUser").asInt()).isEqualTo(i * USERS_PER_WORKER);
            assertThat(range.path("users").asInt()).isEqualTo(USERS_PER_WORKER);
            assertThat(range.path("userPrefix").asText()).isEqualTo(prefix);
        }
        assertThat(merged.path("users").asLong()).isEqualTo((long) WORKERS * USERS_PER_WORKER);
        assertThat(merged.path("sessions").asLong()).isEqualTo((long) WORKERS * USERS_PER_WORKER * DEVICES);

        // Counts summed exactly.
        for (String count : List.of("published", "delivered", "lost", "duplicated", "outOfOrder", "misrouted")) {
            assertThat(merged.path(count).asLong()).as(count)
                    .isEqualTo(reports.stream().mapToLong(r -> r.path(count).asLong()).sum());
        }
        // Nothing lost, nothing twice, nothing to the wrong user: every event reached both devices of its user.
        assertThat(merged.path("published").asLong()).isPositive();
        assertThat(merged.path("lost").asLong()).isZero();
        assertThat(merged.path("duplicated").asLong()).isZero();
        assertThat(merged.path("misrouted").asLong()).isZero();
        assertThat(merged.path("delivered").asLong()).isEqualTo(merged.path("published").asLong() * DEVICES);

        // One histogram of every delivery: its count is the deliveries', its percentiles those of all the workers'.
        Histogram all = Histograms.decode(merged.path("latency").path("histogram").asText());
        assertThat(all.getTotalCount()).isEqualTo(merged.path("delivered").asLong());
        Histogram together = new Histogram(LatencyStats.MAX_MICROS, 3);
        reports.forEach(r -> together.add(Histograms.decode(r.path("latency").path("histogram").asText())));
        assertThat(all).isEqualTo(together);
        assertThat(merged.path("latencyMs")).isEqualTo(JSON.valueToTree(Histograms.millis(together)));
        long timelineDeliveries = 0;
        for (JsonNode second : merged.path("timeline")) {
            timelineDeliveries += second.path("delivered").asLong();
        }
        assertThat(timelineDeliveries).isEqualTo(merged.path("delivered").asLong());

        Path charts = OUT.resolve("charts");
        assertThat(Files.readString(charts.resolve("load-test.html"))).contains("uPlot").contains("3 workers merged");
        for (String chart : List.of("throughput", "latency", "distribution")) {
            assertThat(ImageIO.read(charts.resolve("load-test-" + chart + ".png").toFile()).getWidth()).isEqualTo(900);
        }
        System.out.printf("DISTRIBUTED_LOAD workers=%d published=%d delivered=%d lost=%d p50=%s ms p99=%s ms (workers' p99: %s)%n",
                WORKERS, merged.path("published").asLong(), merged.path("delivered").asLong(), merged.path("lost").asLong(),
                merged.path("latencyMs").path("p50").asText(), merged.path("latencyMs").path("p99").asText(),
                reports.stream().map(r -> r.path("latencyMs").path("p99").asText()).toList());
    }

    /** {@code java -cp <the image's class path> ai.kull.sync.loadgen.Main args} (deploy/docker/Dockerfile.loadgen). */
    private static List<String> loadgen(String... args) throws IOException {
        Path target = ROOT.resolve("loadgen/target");
        Path jar;
        try (Stream<Path> files = Files.list(target)) {
            jar = files.filter(f -> f.getFileName().toString().matches("loadgen-[0-9][^-]*(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no loadgen jar in " + target + ": package first"));
        }
        List<String> command = new ArrayList<>(List.of("-cp", jar + ":" + target.resolve("lib") + "/*",
                "ai.kull.sync.loadgen.Main"));
        command.addAll(List.of(args));
        return ManagedProcess.java(List.of("-Xmx256m"), command.toArray(String[]::new));
    }
}
