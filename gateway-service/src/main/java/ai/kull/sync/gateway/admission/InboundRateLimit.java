package ai.kull.sync.gateway.admission;

import ai.kull.sync.gateway.config.GatewayConfig;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Inbound rate limiting, the per-session half of admission: gives every session its own {@link InboundLimiter},
 * configured by {@code gateway.session.inbound-*}. (The per-pod and per-user half is {@link AdmissionControl}.)
 */
@ApplicationScoped
public class InboundRateLimit {

    private static final UserData.TypedKey<InboundLimiter> LIMITER = new UserData.TypedKey<>("sync.inbound-limiter");

    private final double perSecond;
    private final int burst;
    private final int closeAfter;
    private final long windowNanos;

    public InboundRateLimit(GatewayConfig config) {
        GatewayConfig.Session session = config.session();
        this.perSecond = session.inboundRate();
        this.burst = session.inboundBurst();
        this.closeAfter = session.rateLimitedCloseAfter();
        this.windowNanos = session.rateLimitedWindow().toNanos();
    }

    public void attach(WebSocketConnection connection) {
        connection.userData().put(LIMITER,
                new InboundLimiter(perSecond, burst, closeAfter, windowNanos, System.nanoTime()));
    }

    /** The verdict on one more client frame of this connection. */
    public InboundLimiter.Verdict onFrame(WebSocketConnection connection) {
        InboundLimiter limiter = connection.userData().get(LIMITER);
        return limiter == null ? InboundLimiter.Verdict.ACCEPT : limiter.onFrame(System.nanoTime());
    }
}
