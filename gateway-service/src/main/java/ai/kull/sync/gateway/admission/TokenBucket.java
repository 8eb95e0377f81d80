package ai.kull.sync.gateway.admission;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled continuously at {@code perSecond}; each
 * admitted action takes one. Time is passed in (nanoTime), so callers and tests control the clock.
 * Synchronized: one bucket is shared by whatever threads a session's frames, or a pod's upgrades, arrive on.
 */
public final class TokenBucket {

    private final double capacity;
    private final double perNano;
    private double tokens;
    private long refilledAt;

    public TokenBucket(double perSecond, double capacity, long nowNanos) {
        if (perSecond <= 0 || capacity < 1) {
            throw new IllegalArgumentException("rate must be positive and capacity at least 1");
        }
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.tokens = capacity;
        this.refilledAt = nowNanos;
    }

    /** @return true, taking a token, if one is available at {@code nowNanos} */
    public synchronized boolean tryTake(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** @return true if a burst as large as the capacity would be admitted at {@code nowNanos} */
    public synchronized boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            refilledAt = nowNanos;
        }
    }
}
