package ai.kull.sync.service.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Outcome counters of the HTTP endpoints, as {@code sync_requests_total{endpoint, outcome, reason}}:
 * published, replayed (an Idempotency-Key retry answered without publishing), rejected (by error code)
 * and unavailable (Kafka did not acknowledge in time); and the publish latency of each record, from the send to
 * the brokers' acknowledgement, as {@code sync_service_publish_latency_seconds{endpoint, outcome}}.
 */
@ApplicationScoped
public class RequestMetrics {

    private static final String NAME = "sync.requests";

    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Histogram buckets of the publish latency: 0.5 ms to 10 s. */
    private static final Duration[] LATENCY_BUCKETS = java.util.stream.Stream.of(0.5, 1.0, 2.5, 5.0, 10.0, 25.0,
                    50.0, 100.0, 250.0, 500.0, 1_000.0, 2_500.0, 5_000.0, 10_000.0)
            .map(ms -> Duration.ofNanos((long) (ms * 1_000_000))).toArray(Duration[]::new);

    /** One record from the send to the brokers' ack ({@code acked}) or failure. */
    public void publishLatency(String endpoint, long nanos, boolean acked) {
        Timer.builder("sync.service.publish.latency")
                .description("One record, from the service's send to the brokers' acknowledgement (acks=all)")
                .tags("endpoint", endpoint, "outcome", acked ? "acked" : "failed")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(LATENCY_BUCKETS[0])
                .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1])
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void published(String endpoint) {
        count(endpoint, "published", "none");
    }

    public void replayed(String endpoint) {
        count(endpoint, "replayed", "none");
    }

    public void rejected(String endpoint, String reason) {
        count(endpoint, "rejected", reason);
    }

    public void unavailable(String endpoint) {
        count(endpoint, "unavailable", "kafka");
    }

    private void count(String endpoint, String outcome, String reason) {
        registry.counter(NAME, "endpoint", endpoint, "outcome", outcome, "reason", reason).increment();
    }
}
