package ai.kull.sync.gateway.session;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.metrics.DeliveryLatency;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
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
        send(session, frame, null, 0, 0);
    }

    /**
     * Writes an event frame and, once its write to the socket has completed (the bytes are in the kernel's socket
     * buffer: what the outbound bound counts too), records its delivery latency from the Kafka record's timestamp
     * and from the moment the consumer's poll returned it.
     *
     * @param latency  the record type's timers, or null for frames that are no live delivery (replays, control frames)
     * @param polledAt {@link System#nanoTime()} when the consumer's poll returned the record
     * @return false when the frame was not queued because the session is over its outbound bound (it is closed)
     */
    public boolean send(DeviceSession session, String frame, DeliveryLatency latency, long recordTimestamp,
                        long polledAt) {
        // Characters, not UTF-8 bytes: the same for the protocol's ASCII JSON, and no pass over the frame per session.
        long bytes = frame.length();
        OutboundBudget outbound = session.outbound();
        if (!outbound.tryReserve(bytes, maxPendingBytes)) {
            metrics.slowConsumerDrop();
            close(session, CloseCodes.SLOW_CONSUMER, "reading too slowly, reconnect and resume");
            return false;
        }
        metrics.outboundPending(bytes);
        session.connection().write(frame, result -> {
            written(outbound, bytes);
            if (result.failed()) {
                metrics.sendFailed();
            } else {
                long now = System.currentTimeMillis();
                session.frameOut(now);
                if (latency != null) {
                    latency.record(recordTimestamp, now, polledAt);
                }
            }
        });
        return true;
    }

    /** Closes with {@code code}; the session leaves the registry through the endpoint's close callback. */
    public void close(DeviceSession session, int code, String reason) {
        if (!session.startClosing()) {
            return;
        }
        session.closingWith(code);
        metrics.closed(code);
        session.connection().close(code, reason);
    }

    private void written(OutboundBudget outbound, long bytes) {
        outbound.release(bytes);
        metrics.outboundPending(-bytes);
    }
}
