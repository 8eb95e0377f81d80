package ai.kull.sync.gateway.messaging;

import ai.kull.sync.gateway.session.DeviceSession;
import io.quarkus.websockets.next.CloseReason;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes already encoded frames to sessions, and closes them, from any thread, without waiting. */
@ApplicationScoped
public class SessionSender {

    private final GatewayMetrics metrics;

    public SessionSender(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    public void send(DeviceSession session, String frame) {
        session.connection().sendText(frame).subscribe().with(done -> { }, failure -> metrics.sendFailed());
    }

    /** Closes with {@code code}; the session leaves the registry through the endpoint's close callback. */
    public void close(DeviceSession session, int code, String reason) {
        if (!session.startClosing()) {
            return;
        }
        metrics.closed(code);
        session.connection().close(new CloseReason(code, reason)).subscribe().with(done -> { }, failure -> { });
    }
}
