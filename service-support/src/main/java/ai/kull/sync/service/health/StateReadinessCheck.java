package ai.kull.sync.service.health;

import ai.kull.sync.service.state.StateLoader;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.OptionalLong;

/**
 * Ready only once the state is rebuilt from the topic and the loader keeps polling; Kafka reachability itself
 * is the Kafka client extension's readiness check. A service that is not ready would answer reads with old
 * state and retries with second events. Before the first poll it reports {@code polled: false} and no
 * {@code millisSinceLastPoll}.
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
        OptionalLong sinceLastPoll = loader.millisSinceLastPoll();
        boolean polling = sinceLastPoll.isPresent() && sinceLastPoll.getAsLong() < STALE_POLL_MILLIS;
        HealthCheckResponseBuilder response = HealthCheckResponse.named("state-rebuilt-from-kafka")
                .status(loader.isCaughtUp() && polling)
                .withData("caughtUp", loader.isCaughtUp())
                .withData("polled", sinceLastPoll.isPresent());
        sinceLastPoll.ifPresent(millis -> response.withData("millisSinceLastPoll", millis));
        return response.build();
    }
}
