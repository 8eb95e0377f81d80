package ai.kull.sync.loadgen;

import ai.kull.sync.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The consume-side baselines: a plain KafkaConsumer with the gateway's settings (every partition of the
 * event and presence topics assigned, no group, String keys, byte[] values, the same max.poll.records),
 * and a watcher that times a gateway pod reading the same backlog through its consumer metrics.
 */
public final class BareConsumer {

    /** The gateway's default topics and max.poll.records (GatewayConfig.Kafka). */
    static final List<String> TOPICS = List.of(Topics.SHOOT_PROGRESS, Topics.CREDIT_UPDATES, Topics.PROMPT_CHANGES,
            Topics.ORG_EVENTS, Topics.USER_EVENTS, Topics.PRESENCE);
    /** Records {@code --from burst} reads as its warm-up, at least, before it reports itself warm. */
    public static final int WARMUP_RECORDS = 1_000;
    /** How long a live reading waits for its first event before it reports none. */
    private static final Duration FIRST_RECORD_WAIT = Duration.ofMinutes(3);
    static final int MAX_POLL_RECORDS = 2000;

    private BareConsumer() {
    }

    /**
     * {@code --from end --warmup 5s --duration 30s}: prints {@code BARE_CONSUMER_READY} once it stands at the end of
     * every partition, then reads live records and reports the produce-to-consume latency of the load generator's
     * events after the warm-up, both counted from the first of those events. {@code --from burst --records N}: prints
     * {@code BARE_CONSUMER_READY} once it stands at the end of every partition, reads what comes as a warm-up
     * until three seconds pass without a record, prints {@code BARE_CONSUMER_WARM}, then reads the next N (the
     * script pauses this process while they are produced, so they wait as a backlog) and reports records per
     * second from the first of them to the last.
     */
    static Map<String, Object> run(Flags flags) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, flags.string("bootstrap", "localhost:9092"));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bare-consumer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, flags.integer("max-poll-records", MAX_POLL_RECORDS));
        try (KafkaConsumer<String, byte[]> kafka =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitionsOf(kafka);
            kafka.assign(partitions);
            kafka.seekToEnd(partitions);
            partitions.forEach(kafka::position);
            return "burst".equals(flags.string("from", "end"))
                    ? burst(kafka, flags.integer("records", 100_000))
                    : live(kafka, flags.duration("warmup", Duration.ZERO), flags.duration("duration", Duration.ofSeconds(30)));
        }
    }

    /**
     * Every partition of {@link #TOPICS}. On a fresh broker the first lookup of a topic creates it and answers
     * with no partitions yet; assigning that would silently read nothing, so ask again until each has some.
     */
    static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> kafka) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : TOPICS) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(30));
            while (infos == null || infos.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has no partitions");
                }
                sleep(200);
                infos = kafka.partitionsFor(topic, Duration.ofSeconds(30));
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        return partitions;
    }

    private static Map<String, Object> burst(KafkaConsumer<String, byte[]> kafka, long records) {
        System.out.println("BARE_CONSUMER_READY");
        long[] read = {0};
        Progress step = () -> {
            read[0] += kafka.poll(Duration.ofMillis(100)).count();
            return read[0];
        };
        // Warm-up: what is produced first (a thousand records at least, not just a pod heartbeat), until three
        // seconds pass without a record.
        long lastRecordAt = System.nanoTime();
        for (long seen = 0; seen < WARMUP_RECORDS || System.nanoTime() - lastRecordAt < 3_000_000_000L; ) {
            long now = step.read();
            if (now > seen) {
                seen = now;
                lastRecordAt = System.nanoTime();
            }
        }
        System.out.println("BARE_CONSUMER_WARM " + read[0]);
        long warm = read[0];
        // Timed from the resume (SIGCONT), seen as a jump of the clock between two polls, as the gateway's
        // watcher times it from sending SIGCONT. Records arriving before the pause (presence heartbeats) count.
        long resumed = System.nanoTime();
        long last = resumed;
        while (read[0] - warm < records) {
            step.read();
            long now = System.nanoTime();
            if (now - last > 1_000_000_000L) {
                resumed = now; // the poll that spanned the pause has just returned
            }
            last = now;
        }
        return rate(read[0] - warm, (System.nanoTime() - resumed) / 1e9);
    }

    private static Map<String, Object> live(KafkaConsumer<String, byte[]> kafka, Duration warmup, Duration duration) {
        System.out.println("BARE_CONSUMER_READY"); // run() stood it at the end of every partition
        LatencyStats latency = new LatencyStats();
        // The window starts with the first event, as the load generator's starts with its first publish: started
        // before it, this consumer measures the same seconds however long either JVM took to start.
        long warm = Long.MAX_VALUE;
        long deadline = Long.MAX_VALUE;
        long records = 0;
        boolean warmingUp = !warmup.isZero();
        long firstRecordBy = System.nanoTime() + FIRST_RECORD_WAIT.toNanos();
        while (System.nanoTime() < deadline && (warm != Long.MAX_VALUE || System.nanoTime() < firstRecordBy)) {
            if (warmingUp && System.nanoTime() >= warm) {
                warmingUp = false;
                latency.reset();
                records = 0;
            }
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(100))) {
                long now = Marker.nowMicros();
                long[] marker = record.value() == null ? null
                        : Marker.read(new String(record.value(), StandardCharsets.UTF_8));
                if (marker == null) {
                    continue; // presence: pod heartbeats and the sessions' connects come before any event
                }
                if (warm == Long.MAX_VALUE) {
                    warm = System.nanoTime() + warmup.toNanos();
                    deadline = warm + duration.toNanos();
                }
                records++;
                latency.record(now - marker[1]);
            }
        }
        LatencyStats.Snapshot total = latency.total();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("records", records);
        Map<String, Object> millis = new LinkedHashMap<>();
        millis.put("p50", LoadRun.ms(total.p50()));
        millis.put("p95", LoadRun.ms(total.p95()));
        millis.put("p99", LoadRun.ms(total.p99()));
        millis.put("max", LoadRun.ms(total.max()));
        report.put("latencyMs", millis);
        return report;
    }

    /**
     * Times a gateway pod reading a backlog: resumes the paused pod ({@code --resume-pid}, SIGCONT), polls its
     * {@code /q/metrics} every 50 ms until its consumer has read {@code --records} more than {@code --base}, and
     * reports records per second from the resume to that poll (so up to one poll interval slower than the pod).
     */
    static Map<String, Object> watchGateway(Flags flags) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI metrics = URI.create(flags.string("metrics-url", "http://localhost:8080/q/metrics"));
        long total = flags.integer("records", 100_000);
        long base = flags.integer("base", 0);
        String pid = flags.string("resume-pid", null);
        long started = System.nanoTime();
        if (pid != null) {
            new ProcessBuilder("kill", "-CONT", pid).inheritIO().start().waitFor();
        }
        long read = 0;
        while (read < total && System.nanoTime() - started < Duration.ofMinutes(5).toNanos()) {
            Thread.sleep(50); // a scrape costs the pod CPU: rarely enough not to slow what is measured
            read = PodMetrics.recordsConsumed(http.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString()).body()) - base;
        }
        return rate(read, (System.nanoTime() - started) / 1e9);
    }

    private static Map<String, Object> rate(long records, double seconds) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("records", records);
        report.put("seconds", LoadRun.round(seconds));
        report.put("recordsPerSecond", LoadRun.round(records / seconds));
        return report;
    }

    interface Progress {
        long read();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
