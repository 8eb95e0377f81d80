package ai.kull.sync.gateway.session;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Graceful drain (design decision 9). On SIGTERM Quarkus first reports unready for the shutdown delay
 * (set to the drain period); meanwhile this closes every session with 1012 at a random moment within
 * the first 90% of the period, so clients reconnect to other pods spread out rather than all at once,
 * and refuses new upgrades. What is left of the period lets the last close handshakes finish.
 */
@ApplicationScoped
public class SessionDrain {

    private static final Logger LOG = Logger.getLogger(SessionDrain.class);

    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final Vertx vertx;
    private final long spreadMillis;
    private volatile boolean draining;

    public SessionDrain(SessionRegistry sessions, SessionSender sender, Vertx vertx, GatewayConfig config) {
        this.sessions = sessions;
        this.sender = sender;
        this.vertx = vertx;
        this.spreadMillis = Math.max(1, config.drain().period().toMillis() * 9 / 10);
    }

    public boolean isDraining() {
        return draining;
    }

    void drain(@Observes ShutdownDelayInitiatedEvent shutdown) {
        draining = true;
        LOG.infof("draining %d sessions over %d ms", sessions.size(), spreadMillis);
        for (DeviceSession session : sessions.all()) {
            long delay = 1 + ThreadLocalRandom.current().nextLong(spreadMillis);
            vertx.setTimer(delay, timer -> sender.close(session, CloseCodes.SERVICE_RESTART, "pod draining, reconnect"));
        }
    }
}
