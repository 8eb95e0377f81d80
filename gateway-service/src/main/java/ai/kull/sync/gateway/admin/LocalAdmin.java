package ai.kull.sync.gateway.admin;

import ai.kull.sync.gateway.acks.AckStore;
import ai.kull.sync.gateway.acks.AckedCursor;
import ai.kull.sync.gateway.admin.AdminViews.AckedDeviceView;
import ai.kull.sync.gateway.admin.AdminViews.Affected;
import ai.kull.sync.gateway.admin.AdminViews.ClosedView;
import ai.kull.sync.gateway.admin.AdminViews.EventFound;
import ai.kull.sync.gateway.admin.AdminViews.SessionView;
import ai.kull.sync.gateway.admin.AdminViews.TraceEntryView;
import ai.kull.sync.gateway.admin.AdminViews.TraceOnPod;
import ai.kull.sync.gateway.admin.AdminViews.UserOnPod;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.routing.DeliveryTrace;
import ai.kull.sync.gateway.routing.EventRouter;
import ai.kull.sync.gateway.session.ClosedSessions;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.gateway.session.SessionSender;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What this pod answers about itself: the part of each admin question that its own sessions and window hold. */
@ApplicationScoped
public class LocalAdmin {

    static final String USER = "user";
    static final String CLOSED = "closed";
    static final String TRACE_START = "trace-start";
    static final String TRACE_READ = "trace-read";
    static final String EVENT = "event";
    static final String DISCONNECT = "disconnect";
    static final String RESYNC = "resync";

    /** Recently closed sessions of one user, per pod, in a user's answer. */
    static final int USER_CLOSED_LIMIT = 20;

    /** Reason sent with an operator's disconnect (a close reason is at most 123 bytes). */
    static final String DISCONNECT_REASON = "closed by an operator, reconnect";

    private final SessionRegistry sessions;
    private final ClosedSessions closed;
    private final EventRouter router;
    private final DeliveryTrace trace;
    private final SessionSender sender;
    private final String podId;
    private final boolean writeEnabled;
    private final AckStore acks;
    private final int closedCapacity;

    public LocalAdmin(SessionRegistry sessions, ClosedSessions closed, EventRouter router, DeliveryTrace trace,
                      SessionSender sender, PodId podId, GatewayConfig config, AckStore acks) {
        this.acks = acks;
        this.closedCapacity = config.admin().closedSessions();
        this.writeEnabled = config.admin().writeEnabled();
        this.sessions = sessions;
        this.closed = closed;
        this.router = router;
        this.trace = trace;
        this.sender = sender;
        this.podId = podId.value();
    }

    public String podId() {
        return podId;
    }

    /** Whether an operator may close sessions with {@code code}: a reconnect-allowed application code or 1012. */
    public static boolean disconnectCodeAllowed(int code) {
        return code == CloseCodes.SERVICE_RESTART || (code >= 4000 && code <= 4999);
    }

    /** This pod's part of a question, asked by itself or by another pod over the {@link PeerBus}. */
    public Object answer(String op, Map<String, String> args) {
        String userId = args.get("userId");
        return switch (op) {
            case USER -> user(userId, USER_CLOSED_LIMIT);
            case CLOSED -> closed(null, Integer.parseInt(args.get("limit")));
            case TRACE_START -> {
                startTrace(userId, Long.parseLong(args.get("expiresAt")), Integer.parseInt(args.get("maxEntries")));
                yield new Affected(0);
            }
            case TRACE_READ -> trace(userId);
            case EVENT -> event(args.get("eventId"));
            // A pod acts on a write only where writes are enabled, whoever asks (the bus is not the API's door).
            case DISCONNECT -> writeEnabled && disconnectCodeAllowed(Integer.parseInt(args.get("code")))
                    ? disconnect(userId, Integer.parseInt(args.get("code"))) : new Affected(0);
            case RESYNC -> writeEnabled ? resync(userId) : new Affected(0);
            default -> throw new IllegalArgumentException("unknown admin question " + op);
        };
    }

    public UserOnPod user(String userId, int closedLimit) {
        List<SessionView> open = sessions.forUser(userId).stream()
                .sorted(Comparator.comparingLong(DeviceSession::connectedAt))
                .map(this::view).toList();
        return new UserOnPod(open, closed(userId, closedLimit));
    }

    public List<ClosedView> closed(String userId, int limit) {
        return closed.recent(userId, limit).stream()
                .map(c -> new ClosedView(podId, c.userId(), c.sessionId(), c.deviceId(), c.platform(), c.connectedAt(),
                        c.closedAt(), c.code(), c.reason()))
                .toList();
    }

    public void startTrace(String userId, long expiresAt, int maxEntries) {
        trace.start(userId, expiresAt, maxEntries);
    }

    public TraceOnPod trace(String userId) {
        DeliveryTrace.Snapshot snapshot = trace.read(userId, System.currentTimeMillis());
        if (snapshot == null) {
            return new TraceOnPod(null, null, List.of());
        }
        Acknowledged acknowledged = new Acknowledged(userId);
        return new TraceOnPod(snapshot.active(), snapshot.expiresAt(), snapshot.entries().stream()
                .map(e -> new TraceEntryView(podId, e.eventId(), e.type(), e.topic(), e.partition(), e.offset(),
                        e.cursor(), e.recordTimestamp(), e.routedAt(), e.outcome(), e.sessionIds(),
                        e.outcome() == DeliveryTrace.Outcome.DELIVERED ? acknowledged.past(e) : null))
                .toList());
    }

    /** Every device of the user with an acknowledged cursor, from this pod's store (which holds every device's). */
    public List<AckedDeviceView> ackedDevices(String userId) {
        return acks.ofUser(userId, System.currentTimeMillis()).stream()
                .map(a -> new AckedDeviceView(a.deviceId(), a.cursor(), a.ackedAt())).toList();
    }

    /** Whether trace entries were acknowledged by the devices they were delivered to, for one answer. */
    private final class Acknowledged {
        private final String userId;
        private final Map<String, String> deviceOfSession = new HashMap<>();
        private final Map<String, Map<TopicPartition, Long>> positionsOfDevice = new HashMap<>();

        Acknowledged(String userId) {
            this.userId = userId;
            closed.recent(userId, closedCapacity).forEach(c -> deviceOfSession.put(c.sessionId(), c.deviceId()));
            sessions.forUser(userId).forEach(s -> deviceOfSession.put(s.connection().id(), s.deviceId()));
        }

        /** True when every device the entry reached has acknowledged a position past its offset in its partition. */
        boolean past(DeliveryTrace.Entry entry) {
            if (entry.sessionIds().isEmpty()) {
                return false;
            }
            TopicPartition partition = new TopicPartition(entry.topic(), entry.partition());
            for (String sessionId : entry.sessionIds()) {
                String deviceId = deviceOfSession.get(sessionId);
                Map<TopicPartition, Long> positions = deviceId == null ? null
                        : positionsOfDevice.computeIfAbsent(deviceId, this::positions);
                Long next = positions == null ? null : positions.get(partition);
                if (next == null || next <= entry.offset()) {
                    return false;
                }
            }
            return true;
        }

        private Map<TopicPartition, Long> positions(String deviceId) {
            return acks.find(userId, deviceId, System.currentTimeMillis())
                    .map(AckedCursor::cursor).map(router::positionsOf).orElse(null);
        }
    }

    /** @return null when the event is not (or no longer) in this pod's replay window */
    public EventFound event(String eventId) {
        EventRouter.EventLocation found = router.locate(eventId);
        return found == null ? null : new EventFound(found.topic(), found.partition(), found.offset(), found.type(),
                found.userId(), found.recordTimestamp(), found.sessionsReached());
    }

    public Affected disconnect(String userId, int code) {
        List<DeviceSession> of = List.copyOf(sessions.forUser(userId));
        of.forEach(session -> sender.close(session, code, DISCONNECT_REASON));
        return new Affected(of.size());
    }

    public Affected resync(String userId) {
        List<DeviceSession> of = List.copyOf(sessions.forUser(userId));
        of.forEach(router::forceResync);
        return new Affected(of.size());
    }

    private SessionView view(DeviceSession session) {
        AckedCursor acked = acks.find(session.userId(), session.deviceId(), System.currentTimeMillis()).orElse(null);
        return new SessionView(podId, session.connection().id(), session.deviceId(), session.identity().platform(),
                session.connection().path(), session.connectedAt(), session.resumed(),
                router.cursorOf(session), session.outbound().pending(), session.rateLimitHits(),
                session.lastFrameInAt(), session.lastFrameOutAt(), acked == null ? null : acked.cursor(),
                acked == null ? null : acked.ackedAt());
    }
}
