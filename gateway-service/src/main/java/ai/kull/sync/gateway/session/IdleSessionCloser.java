package ai.kull.sync.gateway.session;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.config.GatewayConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Closes sessions whose device has gone quiet past the idle timeout (no frame, no pong to the server's
 * pings: a vanished peer whose TCP connection never closed), and sessions past their maximum lifetime.
 * The transport's own idle timeout cannot do the former, because the server's pings count as activity.
 */
@ApplicationScoped
public class IdleSessionCloser {

    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final long idleTimeoutMillis;
    private final long maxLifetimeMillis;

    public IdleSessionCloser(SessionRegistry sessions, SessionSender sender, GatewayConfig config) {
        this.sessions = sessions;
        this.sender = sender;
        this.idleTimeoutMillis = config.session().idleTimeout().toMillis();
        this.maxLifetimeMillis = config.session().maxLifetime().toMillis();
    }

    @Scheduled(every = "${gateway.heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeStaleSessions() {
        long now = System.currentTimeMillis();
        for (DeviceSession session : sessions.all()) {
            if (now - session.lastHeardAt() > idleTimeoutMillis) {
                sender.close(session, CloseCodes.IDLE_TIMEOUT, "no pong within the idle timeout");
            } else if (now - session.connectedAt() > maxLifetimeMillis) {
                sender.close(session, CloseCodes.SESSION_EXPIRED, "session lifetime reached, reconnect");
            }
        }
    }
}
