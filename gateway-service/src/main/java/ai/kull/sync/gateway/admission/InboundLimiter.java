package ai.kull.sync.gateway.admission;

/**
 * One session's inbound frame rate: a token bucket decides whether a frame is processed; frames over the
 * rate are answered RATE_LIMITED, and a session that collects too many of those within a window is closed.
 */
public final class InboundLimiter {

    /** What to do with one client frame. */
    public enum Verdict {
        /** Process it. */
        ACCEPT,
        /** Do not process it; answer RATE_LIMITED. */
        REJECT,
        /** Do not process it; close the session (sustained abuse). */
        CLOSE
    }

    private final TokenBucket bucket;
    private final int closeAfter;
    private final long windowNanos;
    private long windowStart;
    private int rejectedInWindow;

    public InboundLimiter(double perSecond, int burst, int closeAfter, long windowNanos, long nowNanos) {
        this.bucket = new TokenBucket(perSecond, burst, nowNanos);
        this.closeAfter = closeAfter;
        this.windowNanos = windowNanos;
        this.windowStart = nowNanos;
    }

    public synchronized Verdict onFrame(long nowNanos) {
        if (bucket.tryTake(nowNanos)) {
            return Verdict.ACCEPT;
        }
        if (nowNanos - windowStart > windowNanos) {
            windowStart = nowNanos;
            rejectedInWindow = 0;
        }
        rejectedInWindow++;
        return rejectedInWindow > closeAfter ? Verdict.CLOSE : Verdict.REJECT;
    }
}
