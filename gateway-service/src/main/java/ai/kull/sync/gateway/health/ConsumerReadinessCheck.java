package ai.kull.sync.gateway.health;

import ai.kull.sync.gateway.messaging.ConsumerProgress;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.OptionalLong;

/**
 * Ready only while the pod really delivers: its consumer polls and has caught up with the topics. A pod
 * that is not ready gets no new devices from the load balancer. Before the first poll it reports {@code polled:
 * false} and no {@code millisSinceLastPoll}.
 */
@Readiness
@ApplicationScoped
public class ConsumerReadinessCheck implements HealthCheck {

    /** Longer than any healthy poll loop iteration takes. */
    private static final long STALE_POLL_MILLIS = 10_000;

    private final ConsumerProgress progress;

    public ConsumerReadinessCheck(ConsumerProgress progress) {
        this.progress = progress;
    }

    @Override
    public HealthCheckResponse call() {
        OptionalLong sinceLastPoll = progress.millisSinceLastPoll();
        boolean polling = sinceLastPoll.isPresent() && sinceLastPoll.getAsLong() < STALE_POLL_MILLIS;
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-consumer")
                .status(polling && progress.isCaughtUp())
                .withData("caughtUp", progress.isCaughtUp())
                .withData("polled", sinceLastPoll.isPresent());
        sinceLastPoll.ifPresent(millis -> response.withData("millisSinceLastPoll", millis));
        return response.build();
    }
}
