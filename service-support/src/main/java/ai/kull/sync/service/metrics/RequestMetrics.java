package ai.kull.sync.service.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Outcome counters of the HTTP endpoints, as {@code sync_requests_total{endpoint, outcome, reason}}:
 * published, replayed (an Idempotency-Key retry answered without publishing), rejected (by error code)
 * and unavailable (Kafka did not acknowledge in time).
 */
@ApplicationScoped
public class RequestMetrics {

    private static final String NAME = "sync.requests";

    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
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
