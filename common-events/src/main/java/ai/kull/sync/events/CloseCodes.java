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
    /** No pong or frame for too long: the path to the device is presumed dead. Reconnect. */
    public static final int IDLE_TIMEOUT = 4000;
    /** The session reached its maximum lifetime. Reconnect (and refresh the token if needed). */
    public static final int SESSION_EXPIRED = 4001;

    private CloseCodes() {
    }
}
