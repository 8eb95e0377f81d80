package ai.kull.sync.events;

/**
 * WebSocket close codes the gateway uses, and what a client should do after each: the numbers and names of
 * {@code close-codes.json} (this module's resources, the one source; CloseCodesContractTest checks this class against
 * it, the SDK and docs/protocol.md are generated from it). Codes 4000-4099
 * mean "reconnect (with your last cursor)"; 4100-4199 mean "do not reconnect until the cause is fixed".
 *
 * <p>Codes 4400-4599 mean "the upgrade was refused": the code is 4000 + the HTTP status the gateway would
 * have answered the upgrade with ({@link #UPGRADE_UNAUTHORIZED}, {@link #UPGRADE_FORBIDDEN},
 * {@link #UPGRADE_TOO_MANY_SESSIONS}, {@link #UPGRADE_UNAVAILABLE}). A browser cannot read the HTTP status of
 * a refused upgrade (it only sees 1006), so a client that adds the query parameter
 * {@value #REFUSAL_PARAMETER}={@value #REFUSAL_BY_CLOSE} to the upgrade URL is accepted and then closed at
 * once with such a code, before any frame. The session never existed: nothing was registered or announced
 * to the user's other devices. The close reason is {@code retry-after=<seconds>; <reason in words>} for
 * 4429 and 4503 (the seconds are those of the Retry-After header the HTTP refusal carries) and just the
 * words for 4401 and 4403; parse it with {@link #retryAfterSeconds(String)}. Without the parameter, refused
 * upgrades are answered with the HTTP status, as they always were.
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

    /** The upgrade query parameter that asks for refusals as close codes: {@code refusal=close}. */
    public static final String REFUSAL_PARAMETER = "refusal";
    /** The value of {@link #REFUSAL_PARAMETER} that asks for refusals as close codes. */
    public static final String REFUSAL_BY_CLOSE = "close";
    /** What a refusal close code is offset from: the code is this plus the HTTP status. */
    public static final int REFUSED_UPGRADE_OFFSET = 4000;
    /**
     * Refused upgrade, HTTP 401: the token is missing, expired, forged or malformed. Fetch a new token, then
     * reconnect once; if that is refused again, stop and report it (do not loop).
     */
    public static final int UPGRADE_UNAUTHORIZED = REFUSED_UPGRADE_OFFSET + 401;
    /**
     * Refused upgrade, HTTP 403: the token is valid but the path names another user or an organization the
     * token does not allow. Do not reconnect: a new attempt will be refused the same way.
     */
    public static final int UPGRADE_FORBIDDEN = REFUSED_UPGRADE_OFFSET + 403;
    /**
     * Refused upgrade, HTTP 429: the user already has the maximum number of sessions on this pod. Reconnect
     * after the reason's retry-after (10 s), with jitter; close a session of the user you no longer need.
     */
    public static final int UPGRADE_TOO_MANY_SESSIONS = REFUSED_UPGRADE_OFFSET + 429;
    /**
     * Refused upgrade, HTTP 503: the pod is draining, still filling its replay window, or admitted its share
     * of new connections this second. Reconnect after the reason's retry-after (1-5 s), ideally to another
     * pod (a new connection through the load balancer).
     */
    public static final int UPGRADE_UNAVAILABLE = REFUSED_UPGRADE_OFFSET + 503;

    private static final String RETRY_AFTER_PREFIX = "retry-after=";

    /** @return the close code for an upgrade refused with this HTTP status (4000 + status) */
    public static int ofRefusedUpgrade(int httpStatus) {
        return REFUSED_UPGRADE_OFFSET + httpStatus;
    }

    /** @return true for a code in the refused-upgrade range, 4400-4599 */
    public static boolean isRefusedUpgrade(int code) {
        return code >= REFUSED_UPGRADE_OFFSET + 400 && code <= REFUSED_UPGRADE_OFFSET + 599;
    }

    /**
     * The close reason of a refused upgrade: {@code retry-after=<seconds>; <words>} when there is a retry hint,
     * else the words alone. Cut to the 123 bytes of UTF-8 a close frame allows, never inside a character.
     */
    public static String refusalReason(Integer retryAfterSeconds, String words) {
        String reason = retryAfterSeconds == null ? words : RETRY_AFTER_PREFIX + retryAfterSeconds + "; " + words;
        return truncateUtf8(reason, 123);
    }

    /** @return the seconds of a {@code retry-after=<seconds>;} reason, or -1 when it has none */
    public static int retryAfterSeconds(String reason) {
        if (reason == null || !reason.startsWith(RETRY_AFTER_PREFIX)) {
            return -1;
        }
        int end = reason.indexOf(';');
        try {
            return Integer.parseInt(reason.substring(RETRY_AFTER_PREFIX.length(), end < 0 ? reason.length() : end).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String truncateUtf8(String text, int maxBytes) {
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private CloseCodes() {
    }
}
