package ai.kull.sync.gateway.health;

import ai.kull.sync.gateway.acks.AckStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the pod holds every device's acknowledged cursor (the acks topic read to the end it had at
 * start), so a {@code cursor=acked} resume never misses one because the pod started a moment ago.
 */
@Readiness
@ApplicationScoped
public class AckStoreReadinessCheck implements HealthCheck {

    private final AckStore acks;

    public AckStoreReadinessCheck(AckStore acks) {
        this.acks = acks;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("acknowledged-cursors")
                .status(acks.isCaughtUp())
                .withData("caughtUp", acks.isCaughtUp())
                .build();
    }
}
