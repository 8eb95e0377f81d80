package ai.kull.sync.gateway.messaging;

import ai.kull.sync.gateway.session.DeviceSession;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes already encoded frames to sessions, from any thread, without waiting for the write. */
@ApplicationScoped
public class SessionSender {

    private final GatewayMetrics metrics;

    public SessionSender(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    public void send(DeviceSession session, String frame) {
        session.connection().sendText(frame).subscribe().with(done -> { }, failure -> metrics.sendFailed());
    }
}
