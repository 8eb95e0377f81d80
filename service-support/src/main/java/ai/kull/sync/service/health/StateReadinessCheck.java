package ai.kull.sync.service.health;

import ai.kull.sync.service.state.StateLoader;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the state is rebuilt from the topic and the loader keeps polling; Kafka reachability itself
 * is the Kafka client extension's readiness check. A service that is not ready would answer reads with old
 * state and retries with second events.
 */
@Readiness
@ApplicationScoped
public class StateReadinessCheck implements HealthCheck {

    /** Far longer than one healthy poll loop iteration. */
    private static final long STALE_POLL_MILLIS = 10_000;

    private final StateLoader loader;

    public StateReadinessCheck(StateLoader loader) {
        this.loader = loader;
    }

    @Override
    public HealthCheckResponse call() {
        long sinceLastPoll = System.currentTimeMillis() - loader.lastPollMillis();
        return HealthCheckResponse.named("state-rebuilt-from-kafka")
                .status(loader.isCaughtUp() && sinceLastPoll < STALE_POLL_MILLIS)
                .withData("caughtUp", loader.isCaughtUp())
                .withData("millisSinceLastPoll", sinceLastPoll)
                .build();
    }
}
