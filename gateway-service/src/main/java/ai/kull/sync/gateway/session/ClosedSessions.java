package ai.kull.sync.gateway.session;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.config.GatewayConfig;
import jakarta.inject.Singleton;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The sessions this pod closed most recently (a bounded ring, oldest out first), with the close code and the
 * reason in words: what answers "why did my phone drop?". Holds ids and times only, never an address.
 */
@Singleton
public class ClosedSessions {

    /** One closed session. */
    public record Closed(String userId, String sessionId, String deviceId, String platform, long connectedAt,
                         long closedAt, int code, String reason) {
    }

    private final int capacity;
    private final ArrayDeque<Closed> ring;

    public ClosedSessions(GatewayConfig config) {
        this.capacity = Math.max(1, config.admin().closedSessions());
        this.ring = new ArrayDeque<>(capacity);
    }

    /**
     * @param code the connection's close code, or null when it ended without a close frame; the code the server
     *             closed with, if it did, takes precedence
     */
    public void closed(DeviceSession session, Integer code, long at) {
        int known = session.serverCloseCode() != 0 ? session.serverCloseCode() : code == null ? 1006 : code;
        Closed closed = new Closed(session.userId(), session.connection().id(), session.deviceId(),
                session.identity().platform(), session.connectedAt(), at, known, reason(known));
        synchronized (ring) {
            if (ring.size() == capacity) {
                ring.removeFirst();
            }
            ring.addLast(closed);
        }
    }

    /** Newest first; {@code userId} null for every user. */
    public List<Closed> recent(String userId, int limit) {
        List<Closed> found = new ArrayList<>();
        synchronized (ring) {
            for (Iterator<Closed> it = ring.descendingIterator(); it.hasNext() && found.size() < limit; ) {
                Closed closed = it.next();
                if (userId == null || closed.userId().equals(userId)) {
                    found.add(closed);
                }
            }
        }
        return found;
    }

    /** A close code in words, for operators (see {@link CloseCodes} for what a client does after each). */
    public static String reason(int code) {
        return switch (code) {
            case 1000 -> "closed normally";
            case 1001 -> "client went away (page closed or app backgrounded)";
            case 1006 -> "connection lost without a close frame";
            case CloseCodes.POLICY_VIOLATION -> "not authenticated";
            case CloseCodes.MESSAGE_TOO_BIG -> "message too big";
            case 1011 -> "server error";
            case CloseCodes.SERVICE_RESTART -> "pod draining";
            case CloseCodes.IDLE_TIMEOUT -> "idle: no frame or pong within the idle timeout";
            case CloseCodes.SESSION_EXPIRED -> "session lifetime reached";
            case CloseCodes.SLOW_CONSUMER -> "slow consumer: outbound bound exceeded";
            case CloseCodes.RATE_LIMITED -> "too many messages";
            default -> code >= 4000 && code < 5000 ? "closed with application code " + code : "closed with code " + code;
        };
    }
}
