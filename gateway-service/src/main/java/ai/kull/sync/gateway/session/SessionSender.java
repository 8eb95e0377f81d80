package ai.kull.sync.gateway.session;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.quarkus.websockets.next.CloseReason;
import jakarta.inject.Singleton;

/**
 * Writes already encoded frames to sessions, and closes them, from any thread, without waiting. Each
 * session may have at most {@code gateway.session.max-pending-bytes} written and not yet completed; a
 * frame that would exceed it is not queued and the session is closed with {@link CloseCodes#SLOW_CONSUMER}.
 */
@Singleton
public class SessionSender {

    private final GatewayMetrics metrics;
    private final long maxPendingBytes;

    public SessionSender(GatewayMetrics metrics, GatewayConfig config) {
        this.metrics = metrics;
        this.maxPendingBytes = config.session().maxPendingBytes();
    }

    public void send(DeviceSession session, String frame) {
        // Characters, not UTF-8 bytes: the same for the protocol's ASCII JSON, and no pass over the frame per session.
        long bytes = frame.length();
        OutboundBudget outbound = session.outbound();
        if (!outbound.tryReserve(bytes, maxPendingBytes)) {
            metrics.slowConsumerDrop();
            close(session, CloseCodes.SLOW_CONSUMER, "reading too slowly, reconnect and resume");
            return;
        }
        metrics.outboundPending(bytes);
        SocketWriter.write(session.connection(), frame, result -> {
            written(outbound, bytes);
            if (result.failed()) {
                metrics.sendFailed();
            }
        });
    }

    /** Closes with {@code code}; the session leaves the registry through the endpoint's close callback. */
    public void close(DeviceSession session, int code, String reason) {
        if (!session.startClosing()) {
            return;
        }
        metrics.closed(code);
        session.connection().close(new CloseReason(code, reason)).subscribe().with(done -> { }, failure -> { });
    }

    private void written(OutboundBudget outbound, long bytes) {
        outbound.release(bytes);
        metrics.outboundPending(-bytes);
    }
}
