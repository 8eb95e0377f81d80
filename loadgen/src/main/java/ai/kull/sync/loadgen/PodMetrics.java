package ai.kull.sync.loadgen;

import java.util.HashMap;
import java.util.Map;

/** Figures read from a gateway pod's Prometheus scrape ({@code /q/metrics} text). */
public final class PodMetrics {

    /** Records a pod read from the Kafka log to serve resumes beyond its replay window (issue 22). */
    public static final String LOG_RECORDS_READ = "sync_gateway_log_replay_records_read_total";
    /** Passes over the log, one serving every resume waiting on the same partitions (issue 22). */
    public static final String LOG_PASSES = "sync_gateway_log_replay_passes_total";

    /** Replay requests a pod answered from the Kafka log (issue 22). */
    public static final String LOG_REQUESTS = "sync_gateway_log_replay_requests_total";
    /** The pod's histogram of a live delivery: Kafka record timestamp to the frame written (one series per type). */
    public static final String DELIVERY_LATENCY = "sync_gateway_delivery_latency_seconds";
    /**
     * The pod's histogram of what it adds to a live delivery: its consumer's poll returning the record to the frame
     * written (one series per type; no producer or broker in it, unlike {@link #DELIVERY_LATENCY}).
     */
    public static final String ADDED_LATENCY = "sync_gateway_added_latency_seconds";
    /** The pod's histogram of a resume's attach to its PENDING_CHECK_COMPLETE. */
    public static final String REPLAY_COMPLETION = "sync_gateway_replay_completion_seconds";

    /** The Kafka consumer's per-topic count of records read, as Micrometer names it. */
    public static final String RECORDS_CONSUMED = "kafka_consumer_fetch_manager_records_consumed_total";

    private PodMetrics() {
    }

    /**
     * The sum of a metric's samples ({@code name{...} value} or {@code name value}), leaving out per-topic ones
     * unless asked, and those whose line lacks {@code mustContain} (unless null); NaN when the scrape has no such
     * sample (a metric the pod does not register).
     */
    public static double sum(String scrape, String name, String mustContain, boolean perTopic) {
        return scrape.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> perTopic || !line.contains("topic="))
                .filter(line -> mustContain == null || line.contains(mustContain))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .reduce(Double::sum).orElse(Double.NaN);
    }

    /**
     * Records the pod's consumers have read, over all topics. Taken from the per-topic series: the client-wide one
     * stays 0 with Kafka 4.1's consumer. Kafka 4.1 reports each topic twice, under its name and with its dots as
     * underscores ({@code sync.user-events}, {@code sync_user-events}; KIP-1109), so each consumer's topic counts
     * once.
     */
    public static long recordsConsumed(String scrape) {
        Map<String, Double> byTopic = new HashMap<>();
        scrape.lines().filter(line -> line.startsWith(RECORDS_CONSUMED + "{") && line.contains("topic=\"")).forEach(line -> {
            int at = line.indexOf("topic=\"") + "topic=\"".length();
            String topic = line.substring(at, line.indexOf('"', at)).replace('.', '_');
            String labels = line.substring(0, at).replaceAll(",?topic=\"$", "");
            byTopic.merge(labels + topic, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Math::max);
        });
        return (long) byTopic.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
