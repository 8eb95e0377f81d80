package ai.kull.sync.gateway.admission;

import ai.kull.sync.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Inbound rate limiting, the per-session half of admission: gives every session its own {@link InboundLimiter},
 * configured by {@code gateway.session.inbound-*}. (The per-pod and per-user half is {@link AdmissionControl}.)
 */
@ApplicationScoped
public class InboundRateLimit {

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

    /** A new session's limiter. */
    public InboundLimiter newLimiter() {
        return new InboundLimiter(perSecond, burst, closeAfter, windowNanos, System.nanoTime());
    }
}
