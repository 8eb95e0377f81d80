package ai.kull.sync.loadgen;

import ai.kull.sync.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
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
import java.util.function.Consumer;

/**
 * The consume-side baselines: a plain KafkaConsumer with the gateway's settings (every partition of the
 * event and presence topics assigned, no group, String keys, byte[] values, the same max.poll.records),
 * and a watcher that times a gateway pod reading the same backlog through its consumer metrics.
 */
final class BareConsumer {

    /** The gateway's default topics and max.poll.records (GatewayConfig.Kafka). */
    static final List<String> TOPICS = List.of(Topics.SHOOT_PROGRESS, Topics.CREDIT_UPDATES, Topics.PROMPT_CHANGES,
            Topics.ORG_EVENTS, Topics.USER_EVENTS, Topics.PRESENCE);
    static final int MAX_POLL_RECORDS = 2000;

    private BareConsumer() {
    }

    /**
     * {@code --from backlog}: reads the records of the last {@code --lookback} (the gateway's replay window,
     * 5m) up to the end offsets as they were at start, and reports records per second between 10% and 90% of
     * them. {@code --from end --warmup 5s --duration 30s}: reads live records and reports the produce-to-consume
     * latency of the load generator's events after the warm-up.
     */
    static Map<String, Object> run(Flags flags) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, flags.string("bootstrap", "localhost:9092"));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bare-consumer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, flags.integer("max-poll-records", MAX_POLL_RECORDS));
        try (KafkaConsumer<String, byte[]> kafka =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : TOPICS) {
                for (PartitionInfo info : kafka.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            kafka.assign(partitions);
            Map<TopicPartition, Long> ends = kafka.endOffsets(partitions);
            return "end".equals(flags.string("from", "backlog"))
                    ? live(kafka, flags.duration("warmup", Duration.ZERO), flags.duration("duration", Duration.ofSeconds(30)))
                    : backlog(kafka, partitions, ends, flags.duration("lookback", Duration.ofMinutes(5)));
        }
    }

    private static Map<String, Object> backlog(KafkaConsumer<String, byte[]> kafka, List<TopicPartition> partitions,
                                               Map<TopicPartition, Long> ends, Duration lookback) {
        Map<TopicPartition, Long> since = new HashMap<>();
        partitions.forEach(p -> since.put(p, System.currentTimeMillis() - lookback.toMillis()));
        Map<TopicPartition, OffsetAndTimestamp> found = kafka.offsetsForTimes(since);
        long total = 0;
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp first = found.get(partition);
            long from = first != null ? first.offset() : ends.get(partition);
            kafka.seek(partition, from);
            total += ends.get(partition) - from;
        }
        long[] read = {0};
        long[] bytes = {0};
        Consumer<ConsumerRecord<String, byte[]>> work = record -> {
            read[0]++;
            bytes[0] += record.value() == null ? 0 : record.value().length;
        };
        Map<String, Object> report = timeBacklog(total, () -> {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(100))) {
                work.accept(record);
            }
            return read[0];
        });
        report.put("bytes", bytes[0]);
        return report;
    }

    private static Map<String, Object> live(KafkaConsumer<String, byte[]> kafka, Duration warmup, Duration duration) {
        kafka.seekToEnd(kafka.assignment());
        LatencyStats latency = new LatencyStats();
        long warm = System.nanoTime() + warmup.toNanos();
        long deadline = warm + duration.toNanos();
        long records = 0;
        boolean warmingUp = !warmup.isZero();
        while (System.nanoTime() < deadline) {
            if (warmingUp && System.nanoTime() >= warm) {
                warmingUp = false;
                latency.reset();
                records = 0;
            }
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(100))) {
                long now = Marker.nowMicros();
                records++;
                if (record.value() != null) {
                    long[] marker = Marker.read(new String(record.value(), StandardCharsets.UTF_8));
                    if (marker != null) {
                        latency.record(now - marker[1]);
                    }
                }
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
     * Times a gateway pod that starts on a backlog: polls its {@code /q/metrics} for the records its consumer
     * has read until it has read {@code --records}, and reports the rate between 10% and 90% of them, as
     * {@link #backlog} does for the bare consumer.
     */
    static Map<String, Object> watchGateway(Flags flags) {
        HttpClient http = HttpClient.newHttpClient();
        URI metrics = URI.create(flags.string("metrics-url", "http://localhost:8080/q/metrics"));
        long total = flags.integer("records", 100_000);
        return timeBacklog(total, () -> {
            try {
                Thread.sleep(25);
                String text = http.send(HttpRequest.newBuilder(metrics).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return consumedRecords(text);
            } catch (java.io.IOException notUpYet) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** The sum of {@code kafka_consumer_fetch_manager_records_consumed_total} over the pod's consumers. */
    static long consumedRecords(String prometheusText) {
        double sum = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("kafka_consumer_fetch_manager_records_consumed_total{") && !line.contains("topic=")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) sum;
    }

    interface Progress {
        long read();
    }

    /** Calls {@code step} until {@code total} records are read; the rate is taken between 10% and 90% of them. */
    static Map<String, Object> timeBacklog(long total, Progress step) {
        long at10 = 0;
        long at90 = 0;
        long read10 = 0;
        long read90 = 0;
        long started = System.nanoTime();
        long read = 0;
        long deadline = started + Duration.ofMinutes(5).toNanos();
        while (read < total && System.nanoTime() < deadline) {
            read = step.read();
            long now = System.nanoTime();
            if (at10 == 0 && read >= total / 10) {
                at10 = now;
                read10 = read;
            }
            if (at90 == 0 && read >= total * 9 / 10) {
                at90 = now;
                read90 = read;
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("records", read);
        report.put("expected", total);
        report.put("recordsPerSecond", at90 > at10 ? LoadRun.round((read90 - read10) / ((at90 - at10) / 1e9)) : 0);
        report.put("seconds", LoadRun.round((System.nanoTime() - started) / 1e9));
        return report;
    }
}
