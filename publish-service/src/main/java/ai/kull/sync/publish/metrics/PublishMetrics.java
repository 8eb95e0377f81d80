package ai.kull.sync.publish.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Per team and event type: {@code sync_publish_events_total{team,type,outcome=accepted|duplicate}} (events made
 * durable, or answered as a retry of one), {@code sync_publish_refused_total{team,type,reason}} (events refused, by
 * error code; a type the team does not own is tagged {@code other}, so callers cannot grow the label set) and
 * {@code sync_publish_durable_seconds{team,type}}, from the request's arrival to the brokers' acknowledgement
 * (acks=all) of the event. A request refused before its team is known counts under team {@code unknown}.
 */
@ApplicationScoped
public class PublishMetrics {

    /** A label for types a team does not own and for requests whose team is not known. */
    public static final String OTHER = "other";
    public static final String UNKNOWN_TEAM = "unknown";

    private static final Duration[] BUCKETS = Stream.of(1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1_000.0,
                    2_500.0, 5_000.0, 10_000.0)
            .map(ms -> Duration.ofNanos((long) (ms * 1_000_000))).toArray(Duration[]::new);

    private final MeterRegistry registry;

    public PublishMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void accepted(String team, String type, long receivedAtNanos) {
        events(team, type, "accepted").increment();
        Timer.builder("sync.publish.durable")
                .description("An event, from the arrival of its request to the brokers' acknowledgement (acks=all)")
                .tags("team", team, "type", type)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(System.nanoTime() - receivedAtNanos, TimeUnit.NANOSECONDS);
    }

    public void duplicate(String team, String type) {
        events(team, type, "duplicate").increment();
    }

    /** {@code count} events refused with {@code reason} (the answer's error code). */
    public void refused(String team, String type, String reason, int count) {
        registry.counter("sync.publish.refused", "team", team, "type", type, "reason", reason).increment(count);
    }

    private Counter events(String team, String type, String outcome) {
        return registry.counter("sync.publish.events", "team", team, "type", type, "outcome", outcome);
    }
}
