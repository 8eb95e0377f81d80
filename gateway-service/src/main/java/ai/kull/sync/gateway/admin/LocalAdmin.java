package ai.kull.sync.gateway.admin;

import ai.kull.sync.gateway.admin.AdminViews.Affected;
import ai.kull.sync.gateway.admin.AdminViews.ClosedView;
import ai.kull.sync.gateway.admin.AdminViews.EventFound;
import ai.kull.sync.gateway.admin.AdminViews.SessionView;
import ai.kull.sync.gateway.admin.AdminViews.TraceEntryView;
import ai.kull.sync.gateway.admin.AdminViews.TraceOnPod;
import ai.kull.sync.gateway.admin.AdminViews.UserOnPod;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.routing.DeliveryTrace;
import ai.kull.sync.gateway.routing.EventRouter;
import ai.kull.sync.gateway.session.ClosedSessions;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.gateway.session.SessionSender;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.List;

/** What this pod answers about itself: the part of each admin question that its own sessions and window hold. */
@ApplicationScoped
public class LocalAdmin {

    /** Reason sent with an operator's disconnect (a close reason is at most 123 bytes). */
    static final String DISCONNECT_REASON = "closed by an operator, reconnect";

    private final SessionRegistry sessions;
    private final ClosedSessions closed;
    private final EventRouter router;
    private final DeliveryTrace trace;
    private final SessionSender sender;
    private final String podId;

    public LocalAdmin(SessionRegistry sessions, ClosedSessions closed, EventRouter router, DeliveryTrace trace,
                      SessionSender sender, PodId podId) {
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
        return new TraceOnPod(snapshot.active(), snapshot.expiresAt(), snapshot.entries().stream()
                .map(e -> new TraceEntryView(podId, e.eventId(), e.type(), e.topic(), e.partition(), e.offset(),
                        e.cursor(), e.recordTimestamp(), e.routedAt(), e.outcome(), e.sessionIds()))
                .toList());
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
        return new SessionView(podId, session.connection().id(), session.deviceId(), session.identity().platform(),
                session.connection().handshakeRequest().path(), session.connectedAt(), session.resumed(),
                router.cursorOf(session), session.outbound().pending(), session.rateLimitHits(),
                session.lastFrameInAt(), session.lastFrameOutAt());
    }
}
