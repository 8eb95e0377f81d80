package ai.kull.sync.system;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.Ids;
import ai.kull.sync.testing.Metrics;
import ai.kull.sync.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chaos test 4: a device that stops reading on a gateway process with a small heap. The same steady stream
 * of organization events goes to eight reading devices twice: once alone, once with a ninth device that
 * stops reading. The stalled one must be closed with 4002 at its outbound bound; the others must receive
 * every event, and their delivery latency (publish to receive) is printed for both runs, with the ratio.
 * The gateway's heap and pending outbound bytes are sampled before and after.
 */
class SlowConsumerIT {

    private static final int READERS = 8;
    private static final int EVENTS_PER_SECOND = 200;
    private static final int EVENTS = 3_000;
    /** ~4 KiB per event: a stalled device's socket buffers (several MiB on loopback) fill within seconds. */
    private static final String PADDING = "x".repeat(4_000);
    /** Large enough that readers never reach it on a loaded 2-core machine, small next to a stalled socket. */
    private static final long MAX_PENDING_BYTES = 1024 * 1024;
    private static final Pattern SENT = Pattern.compile("\"sentNanos\":(\\d+)");
    private static final Pattern SEQ = Pattern.compile("\"jobId\":\"seq-(\\d+)\"");

    private static LocalKafkaBroker broker;
    private static EventPublisher publisher;
    private static AppProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        publisher = new EventPublisher(broker.bootstrapServers());
        gateway = AppProcess.start("pod-slow", broker.bootstrapServers(),
                Map.of("GATEWAY_SESSION_MAX_PENDING_BYTES", String.valueOf(MAX_PENDING_BYTES)), "128m");
        gateway.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aStalledDeviceIsClosedWith4002WhileTheOthersGetEveryEventOnTime() throws Exception {
        run("warm-up", false, EVENTS / 3); // JIT, broker and connection warm-up: not compared
        Run alone = run("alone", false, EVENTS);
        double heapBefore = heapUsed();
        Run withStalled = run("with-stalled", true, EVENTS);
        double heapAfter = heapUsed();
        double pendingAfter = metric("sync_gateway_outbound_pending_bytes");

        System.out.printf("delivery latency to %d readers, %d events at %d/s (~4 KiB each):%n", READERS, EVENTS,
                EVENTS_PER_SECOND);
        System.out.printf("  alone:        p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", alone.p(50), alone.p(99), alone.p(100));
        System.out.printf("  with stalled: p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", withStalled.p(50),
                withStalled.p(99), withStalled.p(100));
        System.out.printf("  ratio with/alone: p50 %.2f  p99 %.2f%n", withStalled.p(50) / alone.p(50),
                withStalled.p(99) / alone.p(99));
        System.out.printf("stalled device: seen closed with 4002 once %d events were published (%d KiB; checked "
                + "once a second); it had read %d%n",
                withStalled.publishedAtClose, withStalled.publishedAtClose * 4, withStalled.stalledReceived);
        System.out.printf("gateway heap (-Xmx128m) used: %.1f MiB before, %.1f MiB after; pending outbound bytes "
                + "after: %.0f%n", heapBefore / (1 << 20), heapAfter / (1 << 20), pendingAfter);

        assertThat(gateway.process.isAlive()).isTrue();
        assertThat(heapAfter).as("heap used after, generous bound").isLessThan(110.0 * (1 << 20));
        assertThat(pendingAfter).as("nothing stays queued for the closed device").isLessThan(MAX_PENDING_BYTES);
        assertThat(metric("sync_gateway_drops_total{reason=\"slow-consumer\"}")).isPositive();
    }

    /** Streams {@code events} to {@link #READERS} reading devices (and one stalled one, if asked). */
    private Run run(String name, boolean withStalled, int events) throws Exception {
        String org = Ids.unique("org-" + name);
        List<TestDevice> readers = new ArrayList<>();
        List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>(READERS * events));
        Map<TestDevice, List<Integer>> sequences = new ConcurrentHashMap<>();
        TestDevice stalled = null;
        try {
            for (int i = 0; i < READERS; i++) {
                TestDevice reader = connect(org, "reader-" + i);
                List<Integer> seen = new CopyOnWriteArrayList<>();
                sequences.put(reader, seen);
                reader.onFrame = frame -> {
                    Matcher sent = SENT.matcher(frame);
                    Matcher seq = SEQ.matcher(frame);
                    if (sent.find() && seq.find()) {
                        latenciesNanos.add(System.nanoTime() - Long.parseLong(sent.group(1)));
                        seen.add(Integer.parseInt(seq.group(1)));
                    }
                };
                readers.add(reader);
            }
            double closedBefore = metric("sync_gateway_sessions_closed_total{code=\"4002\"}");
            if (withStalled) {
                stalled = connect(org, "stalled");
                stalled.next("CONNECTION_ESTABLISHED");
                stalled.pauseReading();
            }
            for (TestDevice reader : readers) {
                reader.next("CONNECTION_ESTABLISHED");
            }

            long intervalNanos = 1_000_000_000L / EVENTS_PER_SECOND;
            long start = System.nanoTime();
            long publishedAtClose = -1;
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int seq = 1; seq <= events; seq++) {
                long due = start + seq * intervalNanos;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                Map<String, Object> data = Map.of("sentNanos", System.nanoTime(), "pad", PADDING);
                sends.add(publisher.publishToOrg(org, new OrgSyncEvent(MessageType.SYNC_PROGRESS, org, "seq-" + seq,
                        null, seq * 100 / events, "steady stream", data, Instant.now())));
                if (stalled != null && publishedAtClose < 0 && seq % EVENTS_PER_SECOND == 0
                        && metric("sync_gateway_sessions_closed_total{code=\"4002\"}") > closedBefore) {
                    publishedAtClose = seq;
                    stalled.resumeReading(); // read the backlog now, so the close frame behind it arrives
                }
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            for (TestDevice reader : readers) {
                List<Integer> seen = sequences.get(reader);
                await("a reading device gets every event").untilAsserted(() -> assertThat(seen).as(() ->
                                "a reading device gets every event once, in order; its close: " + reader.closeCode
                                        + "; gateway: " + gatewayCounters())
                        .hasSize(events).isSorted().doesNotHaveDuplicates());
                assertThat(reader.closeCode).as("a reading device stays connected").isNotDone();
            }
            int stalledReceived = 0;
            if (stalled != null) {
                assertThat(publishedAtClose).as("the stalled device was closed while the stream ran").isPositive();
                stalled.resumeReading();
                assertThat(stalled.closeCode.get(20, TimeUnit.SECONDS)).isEqualTo(CloseCodes.SLOW_CONSUMER);
                stalledReceived = (int) stalled.received.stream().filter(f -> f.contains("SYNC_PROGRESS")).count();
                assertThat(stalledReceived).as("the stalled device got only what was queued before").isLessThan(events);
            }
            return new Run(latenciesNanos, publishedAtClose, stalledReceived);
        } finally {
            readers.forEach(TestDevice::close);
            if (stalled != null) {
                stalled.close();
            }
        }
    }

    private static TestDevice connect(String org, String deviceId) throws Exception {
        String user = Ids.unique(deviceId);
        String token = TestDevice.token(user, deviceId, Duration.ofMinutes(10), TestDevice.SECRET, List.of(org));
        return TestDevice.connect(gateway.ws("/api/ws/sync/" + org + "?token=" + token));
    }

    /** The gateway's own counters and consumer lag, to explain a failure. */
    private static String gatewayCounters() {
        try {
            return String.join("; ", gateway.get("/q/metrics", null).body().lines()
                    .filter(line -> line.startsWith("sync_gateway") || line.startsWith("kafka_consumer_fetch_manager_records_lag_max"))
                    .toList());
        } catch (Exception e) {
            return "metrics unavailable: " + e;
        }
    }

    private static double heapUsed() throws Exception {
        return Metrics.sum(gateway.get("/q/metrics", null).body(), "jvm_memory_used_bytes{area=\"heap\"");
    }

    private static double metric(String sample) throws Exception {
        return Metrics.value(gateway.get("/q/metrics", null).body(), sample);
    }

    /** Latencies of one run, in milliseconds by percentile. */
    private record Run(List<Long> latenciesNanos, long publishedAtClose, int stalledReceived) {
        double p(int percentile) {
            List<Long> sorted = latenciesNanos.stream().sorted().toList();
            int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
            return sorted.get(Math.max(0, index)) / 1e6;
        }
    }
}
