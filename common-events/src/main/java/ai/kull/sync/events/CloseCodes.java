package ai.kull.sync.events;

/**
 * WebSocket close codes the gateway uses, and what a client should do after each. Codes 4000-4099
 * mean "reconnect (with your last cursor)"; 4100-4199 mean "do not reconnect until the cause is fixed".
 */
public final class CloseCodes {

    /** The pod is draining for a restart or scale-down: reconnect at once, a load balancer picks another pod. */
    public static final int SERVICE_RESTART = 1012;
    /** The session was not authenticated: get a new token before reconnecting. */
    public static final int POLICY_VIOLATION = 1008;
    /**
     * The client sent a frame or message larger than the gateway's maximum (64 KiB by default). Sent by the
     * WebSocket layer itself. Reconnect, and do not send that message again: it will never fit.
     */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** No pong or frame for too long: the path to the device is presumed dead. Reconnect. */
    public static final int IDLE_TIMEOUT = 4000;
    /** The session reached its maximum lifetime. Reconnect (and refresh the token if needed). */
    public static final int SESSION_EXPIRED = 4001;
    /**
     * The device read its frames too slowly: more than the per-session bound of outbound bytes was waiting
     * for it. Nothing more is queued for it; reconnect and resume from the last cursor, which replays what
     * was not delivered.
     */
    public static final int SLOW_CONSUMER = 4002;
    /**
     * The device kept sending faster than its inbound rate after being answered {@code RATE_LIMITED}.
     * Reconnect allowed, but only after a backoff (exponential with jitter, starting at a few seconds) and
     * sending less: a buggy client loop should not turn into a reconnect loop. It is in the reconnect range
     * because the bound protects the pod, not the data: a burst must not cost a user their sync for good.
     */
    public static final int RATE_LIMITED = 4003;

    private CloseCodes() {
    }
}
