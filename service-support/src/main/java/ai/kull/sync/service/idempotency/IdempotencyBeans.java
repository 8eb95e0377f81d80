package ai.kull.sync.service.idempotency;

import ai.kull.sync.service.config.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/** The seen-keys store, bounded by the {@code sync.service.idempotency-*} settings. */
@ApplicationScoped
public class IdempotencyBeans {

    @Produces
    @ApplicationScoped
    IdempotencyStore idempotencyStore(ServiceConfig config) {
        return new IdempotencyStore(config.idempotencyMaxKeys(), config.idempotencyTtl(), Clock.systemUTC());
    }
}
