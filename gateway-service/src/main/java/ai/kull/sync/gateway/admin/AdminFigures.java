package ai.kull.sync.gateway.admin;

import ai.kull.sync.events.payload.PodHeartbeat;
import ai.kull.sync.gateway.messaging.ConsumerProgress;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.presence.PodFigures;
import ai.kull.sync.gateway.routing.EventRouter;
import ai.kull.sync.gateway.replay.ReplayWindow;
import ai.kull.sync.gateway.session.SessionDrain;
import ai.kull.sync.gateway.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** This pod's figures for its heartbeat, from which every pod's admin API lists the pods. */
@ApplicationScoped
public class AdminFigures implements PodFigures {

    private final SessionRegistry sessions;
    private final SessionDrain drain;
    private final EventRouter router;
    private final ConsumerProgress consumer;
    private final GatewayMetrics metrics;
    private final String version;

    public AdminFigures(SessionRegistry sessions, SessionDrain drain, EventRouter router, ConsumerProgress consumer,
                        GatewayMetrics metrics, @ConfigProperty(name = "quarkus.application.version") String version) {
        this.sessions = sessions;
        this.drain = drain;
        this.router = router;
        this.consumer = consumer;
        this.metrics = metrics;
        this.version = version;
    }

    @Override
    public PodHeartbeat heartbeat(String pod, long startedAt, long intervalMs) {
        ReplayWindow.Figures window = router.windowFigures(System.currentTimeMillis());
        return new PodHeartbeat(pod, startedAt, intervalMs, version, drain.isDraining(), sessions.size(),
                window.records(), window.bytes(), window.oldestAgeMillis(), consumer.lag(),
                metrics.deliveriesTotal());
    }
}
