package ai.kull.sync.loadgen;

import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.events.publish.Idempotency;
import ai.kull.sync.events.publish.Target;
import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.stack.AppLaunch;
import ai.kull.sync.process.stack.StackApps;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The publish API against producing the same events straight to Kafka with common-events' EventPublisher, in the
 * same run and against the same broker (issue 24): single events and batches of 10 and 100, each path for
 * {@code --seconds} per phase, {@code --repeats} times, {@code --concurrency} requests (or batches) in flight.
 * Events/s per core: events over the CPU time of the process doing the publishing (the publish service for the
 * API, the publishing JVM, this one, for the direct path; the broker's CPU apart). p50/p99 to durable: request to
 * 200 for the API (200 only after acks=all), first send to the last ack of the batch for the direct path.
 * Writes a Markdown table to {@code --out}. Run through bench/publish.sh.
 */
public final class PublishBench {

    private static final String KEY = "bench-notifications-key-0001";
    private static final String TEAMS = "{\"teams\":[{\"name\":\"bench\",\"types\":[\"BENCH_*\"],"
            + "\"eventsPerSecond\":10000000,\"burstEvents\":10000000}]}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int USERS = 1000;

    private final Path root;
    private final int seconds;
    private final int repeats;
    private final int concurrency;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private PublishBench(Path root, int seconds, int repeats, int concurrency) {
        this.root = root;
        this.seconds = seconds;
        this.repeats = repeats;
        this.concurrency = concurrency;
    }

    /** One phase's figures. */
    record Phase(String path, int batch, long events, double eventsPerSecond, double cpuSeconds, double brokerCpuSeconds,
                 double driverCpuSeconds, long p50Micros, long p99Micros, long failures) {
        double perCore() {
            return events / cpuSeconds;
        }
    }

    public static void run(Flags flags) throws Exception {
        Path root = Path.of(flags.string("root", System.getProperty("bench.root", "."))).toAbsolutePath().normalize();
        PublishBench bench = new PublishBench(root, flags.integer("seconds", 5), flags.integer("repeats", 3),
                flags.integer("concurrency", 4));
        Path out = Path.of(flags.string("out", root.resolve("bench/results/" + LocalDate.now() + "-publish-api.md").toString()));
        bench.measure(out);
    }

    private void measure(Path out) throws Exception {
        Path runDir = root.resolve("target/publish-bench");
        Files.createDirectories(runDir);
        int kafkaPort = FreePorts.take();
        int port = FreePorts.take();
        StackApps apps = StackApps.of(root);
        AppLaunch brokerApp = apps.broker(kafkaPort, Files.createTempDirectory(runDir, "kafka-data"));
        try (ManagedProcess broker = brokerApp.start(runDir.resolve("kafka.log"))) {
            brokerApp.awaitReady(broker, Duration.ofMinutes(2));
            String bootstrap = "127.0.0.1:" + kafkaPort;
            // The bench's own team (TEAMS) in place of the example teams the stack's definition points to.
            Path teams = Files.writeString(runDir.resolve("bench-teams.json"), TEAMS);
            AppLaunch serviceApp = apps.service("publish-service", port, bootstrap, StackApps.LOCAL_JWT_SECRET)
                    .env("PUBLISH_TEAMS_FILE", teams.toString()).env("PUBLISH_TEAM_KEYS", "bench=" + KEY);
            try (ManagedProcess service = serviceApp.start(runDir.resolve("publish-service.log"));
                 EventPublisher direct = new EventPublisher(bootstrap)) {
                serviceApp.awaitReady(service, Duration.ofMinutes(2));
                LongSupplier serviceCpu = cpuOf(service.process().pid());
                LongSupplier brokerCpu = cpuOf(broker.process().pid());
                LongSupplier driverCpu = () -> ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
                // Warm-up of both paths (JIT, connections, topic metadata), not counted.
                for (int batch : List.of(1, 10, 100)) {
                    phase("api", batch, 2, port, direct, serviceCpu, brokerCpu, driverCpu);
                    phase("direct", batch, 2, port, direct, driverCpu, brokerCpu, driverCpu);
                }
                List<Phase> phases = new ArrayList<>();
                for (int repeat = 1; repeat <= repeats; repeat++) {
                    for (int batch : List.of(1, 10, 100)) {
                        phases.add(phase("api", batch, seconds, port, direct, serviceCpu, brokerCpu, driverCpu));
                        phases.add(phase("direct", batch, seconds, port, direct, driverCpu, brokerCpu, driverCpu));
                    }
                }
                String report = report(phases);
                System.out.println(report);
                Files.createDirectories(out.getParent());
                Files.writeString(out, report);
                System.out.println("[publish-bench] written to " + out);
            }
        }
    }

    private Phase phase(String path, int batch, int phaseSeconds, int port, EventPublisher direct, LongSupplier cpu,
                        LongSupplier brokerCpu, LongSupplier driverCpu) throws InterruptedException {
        LatencyStats latency = new LatencyStats();
        AtomicLong events = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long cpu0 = cpu.getAsLong(), broker0 = brokerCpu.getAsLong(), driver0 = driverCpu.getAsLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(phaseSeconds).toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            Thread worker = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    boolean ok = path.equals("api") ? viaApi(port, batch) : viaKafka(direct, batch);
                    if (ok) {
                        latency.record((System.nanoTime() - sent) / 1000);
                        events.addAndGet(batch);
                    } else {
                        failures.incrementAndGet();
                    }
                }
            }, "publish-bench-" + w);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        LatencyStats.Snapshot total = latency.total();
        Phase phase = new Phase(path, batch, events.get(), events.get() / elapsed, (cpu.getAsLong() - cpu0) / 1e9,
                (brokerCpu.getAsLong() - broker0) / 1e9, (driverCpu.getAsLong() - driver0) / 1e9, total.p50(),
                total.p99(), failures.get());
        System.out.printf("[publish-bench] %-6s batch %3d: %,8.0f events/s, %,8.0f events/s per core, p50 %.1f ms, "
                        + "p99 %.1f ms, failures %d%n", path, batch, phase.eventsPerSecond(), phase.perCore(),
                phase.p50Micros() / 1000.0, phase.p99Micros() / 1000.0, phase.failures());
        return phase;
    }

    private boolean viaApi(int port, int batch) {
        StringBuilder body = new StringBuilder();
        String pathSuffix = batch == 1 ? "" : "/batch";
        if (batch > 1) {
            body.append("{\"events\":[");
        }
        for (int i = 0; i < batch; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"BENCH_EVENT\",\"to\":{\"userId\":\"user-")
                    .append(ThreadLocalRandom.current().nextInt(USERS)).append("\"},\"data\":{\"n\":").append(i)
                    .append(",\"title\":\"a notification of typical size\"},\"idempotencyKey\":\"")
                    .append(java.util.UUID.randomUUID()).append("\"}");
        }
        if (batch > 1) {
            body.append("]}");
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/api/sync/events" + pathSuffix))
                    .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean viaKafka(EventPublisher direct, int batch) {
        List<CompletableFuture<?>> acks = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            ObjectNode data = JSON.createObjectNode().put("n", i).put("title", "a notification of typical size");
            String key = "bench:" + java.util.UUID.randomUUID();
            acks.add(direct.publish(Target.user("user-" + ThreadLocalRandom.current().nextInt(USERS)),
                    TeamEvent.of("BENCH_EVENT", data), new Idempotency(key, "h")));
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static LongSupplier cpuOf(long pid) {
        return () -> ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    private String report(List<Phase> phases) {
        StringBuilder md = new StringBuilder();
        md.append("# Publish API against producing straight to Kafka (").append(LocalDate.now()).append(")\n\n");
        md.append("`bench/publish.sh --seconds ").append(seconds).append(" --repeats ").append(repeats)
                .append(" --concurrency ").append(concurrency).append("`: one broker (local-kafka) and one publish service ")
                .append("(-Xmx256m) as processes of their own; the direct path is common-events' `EventPublisher` in the ")
                .append("benchmark's JVM against the same broker, in the same run, with the same events (`BENCH_EVENT` to ")
                .append("one of ").append(USERS).append(" users, an idempotency key each, no schema). ")
                .append(concurrency).append(" requests (API) or batches (direct) in flight; ").append(seconds)
                .append(" s per phase after a 2 s warm-up of each; medians over ").append(repeats)
                .append(" repeats, [min-max] in brackets.\n\n");
        md.append("**The machine was shared**: 2 cores, with other engineers' builds and tests running at the same time, ")
                .append("so absolute figures are low and noisy; the ratio between the two paths, measured interleaved, ")
                .append("is the point.\n\n");
        md.append("Events/s per core: events over the CPU seconds of the process that publishes (the publish service ")
                .append("for the API, the benchmark's JVM for the direct path); the broker's CPU per 1,000 events apart. ")
                .append("p50/p99 to durable: for the API the request until its 200 (sent only after acks=all), for the ")
                .append("direct path the first send until the last ack of the batch.\n\n");
        md.append("| path | batch | events/s | events/s per core | broker CPU ms per 1,000 events | p50 ms | p99 ms | failures |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (int batch : List.of(1, 10, 100)) {
            for (String path : List.of("api", "direct")) {
                List<Phase> of = phases.stream().filter(p -> p.path().equals(path) && p.batch() == batch).toList();
                md.append("| ").append(path.equals("api") ? "publish API (HTTP)" : "EventPublisher (Kafka)")
                        .append(" | ").append(batch)
                        .append(" | ").append(stat(of.stream().map(Phase::eventsPerSecond).toList(), "%,.0f"))
                        .append(" | ").append(stat(of.stream().map(Phase::perCore).toList(), "%,.0f"))
                        .append(" | ").append(stat(of.stream().map(p -> p.brokerCpuSeconds() * 1e6 / p.events()).toList(), "%.0f"))
                        .append(" | ").append(stat(of.stream().map(p -> p.p50Micros() / 1000.0).toList(), "%.1f"))
                        .append(" | ").append(stat(of.stream().map(p -> p.p99Micros() / 1000.0).toList(), "%.1f"))
                        .append(" | ").append(of.stream().mapToLong(Phase::failures).sum()).append(" |\n");
            }
        }
        md.append("\nThe API's cost per event over the direct path (events/s per core, median): ");
        for (int batch : List.of(1, 10, 100)) {
            double api = median(phases.stream().filter(p -> p.path().equals("api") && p.batch() == batch).map(Phase::perCore).toList());
            double direct = median(phases.stream().filter(p -> p.path().equals("direct") && p.batch() == batch).map(Phase::perCore).toList());
            md.append(String.format("batch %d: %.1fx", batch, direct / api)).append(batch == 100 ? ".\n" : "; ");
        }
        md.append("\nThe driver's own CPU (HTTP client or producer) per phase, for reference: ");
        md.append(phases.stream().map(p -> String.format("%s/%d %.1f s", p.path(), p.batch(), p.driverCpuSeconds()))
                .distinct().limit(6).reduce((a, b) -> a + ", " + b).orElse("")).append(".\n");
        return md.toString();
    }

    private static String stat(List<Double> values, String format) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format(format, median(sorted)) + " [" + String.format(format, sorted.get(0)) + "-"
                + String.format(format, sorted.get(sorted.size() - 1)) + "]";
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
