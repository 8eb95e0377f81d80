package ai.kull.sync.gateway.admin;

import ai.kull.sync.gateway.admin.AdminViews.ActionDone;
import ai.kull.sync.gateway.admin.AdminViews.Affected;
import ai.kull.sync.gateway.admin.AdminViews.ClosedView;
import ai.kull.sync.gateway.admin.AdminViews.Event;
import ai.kull.sync.gateway.admin.AdminViews.EventFound;
import ai.kull.sync.gateway.admin.AdminViews.EventOnPod;
import ai.kull.sync.gateway.admin.AdminViews.PodView;
import ai.kull.sync.gateway.admin.AdminViews.ReplayWindowView;
import ai.kull.sync.gateway.admin.AdminViews.SessionView;
import ai.kull.sync.gateway.admin.AdminViews.Trace;
import ai.kull.sync.gateway.admin.AdminViews.TraceEntryView;
import ai.kull.sync.gateway.admin.AdminViews.TraceOnPod;
import ai.kull.sync.gateway.admin.AdminViews.TraceStarted;
import ai.kull.sync.gateway.admin.AdminViews.User;
import ai.kull.sync.gateway.admin.AdminViews.UserOnPod;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.presence.PodTable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin questions about the whole cluster: each is asked of every live pod over the {@link PeerBus} (this pod
 * answers in place through {@link LocalAdmin}), and the answers are merged. Write actions log one audit line.
 */
@ApplicationScoped
public class ClusterAdmin {

    private static final Logger AUDIT = Logger.getLogger("ai.kull.sync.gateway.audit");

    private final PeerBus bus;
    private final LocalAdmin local;
    private final PodTable pods;
    private final ObjectMapper json;
    private final GatewayConfig.Admin config;
    private final int closedCapacity;

    public ClusterAdmin(PeerBus bus, LocalAdmin local, PodTable pods, ObjectMapper json, GatewayConfig config) {
        this.bus = bus;
        this.local = local;
        this.pods = pods;
        this.json = json;
        this.config = config.admin();
        this.closedCapacity = config.admin().closedSessions();
    }

    public List<PodView> pods() {
        long now = System.currentTimeMillis();
        return pods.live(now).stream().map(pod -> {
            var beat = pod.heartbeat();
            long startedAt = beat.startedAt();
            return new PodView(beat.pod(), beat.version(), startedAt, Math.max(0, (now - startedAt) / 1000),
                    Boolean.TRUE.equals(beat.draining()), orZero(beat.sessions()),
                    new ReplayWindowView(orZero(beat.replayRecords()), orZero(beat.replayBytes()),
                            orZero(beat.replayOldestAgeMs()) / 1000),
                    orZero(beat.consumerLag()), orZero(beat.deliveriesTotal()), pod.seenAt());
        }).toList();
    }

    public User user(String userId) throws InterruptedException {
        PeerBus.Answers answers = bus.ask(LocalAdmin.USER, Map.of("userId", userId), livePods(), null);
        List<SessionView> sessions = new ArrayList<>();
        List<ClosedView> closed = new ArrayList<>();
        answers.byPod().values().forEach(node -> {
            UserOnPod part = json.convertValue(node, UserOnPod.class);
            sessions.addAll(part.sessions());
            closed.addAll(part.recentlyClosed());
        });
        sessions.sort(Comparator.comparingLong(SessionView::connectedAt));
        closed.sort(Comparator.comparingLong(ClosedView::closedAt).reversed());
        return new User(userId, answers.partial(), answers.asked(), answers.answered(), sessions, closed,
                local.ackedDevices(userId));
    }

    /** @return null when the pod is not live (or did not answer) */
    public List<ClosedView> closed(String podId, int limit) throws InterruptedException {
        int bounded = Math.max(1, Math.min(limit, closedCapacity));
        PeerBus.Answers answers = bus.ask(LocalAdmin.CLOSED, Map.of("limit", String.valueOf(bounded)), List.of(podId), podId);
        JsonNode node = answers.byPod().get(podId);
        return node == null ? null : List.of(json.convertValue(node, ClosedView[].class));
    }

    public TraceStarted startTrace(String userId, Integer seconds, Integer maxEntries) throws InterruptedException {
        long maxSeconds = config.traceMaxDuration().toSeconds();
        long duration = Math.max(1, Math.min(seconds == null ? Math.min(60, maxSeconds) : seconds, maxSeconds));
        int entries = Math.max(1, Math.min(maxEntries == null ? Math.min(1000, config.traceMaxEntries()) : maxEntries,
                config.traceMaxEntries()));
        long expiresAt = System.currentTimeMillis() + duration * 1000;
        PeerBus.Answers answers = bus.ask(LocalAdmin.TRACE_START, Map.of("userId", userId, "expiresAt", String.valueOf(expiresAt),
                "maxEntries", String.valueOf(entries)), livePods(), null);
        return new TraceStarted(userId, expiresAt, entries, answers.partial(), answers.asked(), answers.answered());
    }

    public Trace trace(String userId) throws InterruptedException {
        PeerBus.Answers answers = bus.ask(LocalAdmin.TRACE_READ, Map.of("userId", userId), livePods(), null);
        List<TraceEntryView> entries = new ArrayList<>();
        boolean active = false;
        Long expiresAt = null;
        for (JsonNode node : answers.byPod().values()) {
            TraceOnPod part = json.convertValue(node, TraceOnPod.class);
            active |= Boolean.TRUE.equals(part.active());
            if (part.expiresAt() != null) {
                expiresAt = expiresAt == null ? part.expiresAt() : Math.max(expiresAt, part.expiresAt());
            }
            entries.addAll(part.entries());
        }
        entries.sort(Comparator.comparingLong(TraceEntryView::routedAt).thenComparing(TraceEntryView::podId));
        return new Trace(userId, active, expiresAt, answers.partial(), answers.asked(), answers.answered(), entries);
    }

    public Event event(String eventId) throws InterruptedException {
        PeerBus.Answers answers = bus.ask(LocalAdmin.EVENT, Map.of("eventId", eventId), livePods(), null);
        EventFound first = null;
        List<EventOnPod> reached = new ArrayList<>();
        for (Map.Entry<String, JsonNode> answer : answers.byPod().entrySet()) {
            if (answer.getValue() == null || answer.getValue().isNull()) {
                continue;
            }
            EventFound found = json.convertValue(answer.getValue(), EventFound.class);
            first = first == null ? found : first;
            reached.add(new EventOnPod(answer.getKey(), found.sessionsReached()));
        }
        return first == null
                ? new Event(eventId, false, null, null, null, null, null, null, answers.partial(), answers.asked(),
                answers.answered(), List.of())
                : new Event(eventId, true, first.topic(), first.partition(), first.offset(), first.type(),
                first.userId(), first.recordTimestamp(), answers.partial(), answers.asked(), answers.answered(), reached);
    }

    public ActionDone disconnect(AdminAccess.Caller caller, String userId, int code) throws InterruptedException {
        PeerBus.Answers answers = bus.ask(LocalAdmin.DISCONNECT, Map.of("userId", userId, "code", String.valueOf(code)),
                livePods(), null);
        ActionDone done = done(userId, "disconnect", answers);
        AUDIT.infof("admin action=disconnect by=%s user=%s code=%d sessions=%d pods=%s partial=%s",
                caller.subject(), userId, code, done.sessionsAffected(), done.podsAnswered(), done.partial());
        return done;
    }

    public ActionDone resync(AdminAccess.Caller caller, String userId) throws InterruptedException {
        PeerBus.Answers answers = bus.ask(LocalAdmin.RESYNC, Map.of("userId", userId), livePods(), null);
        ActionDone done = done(userId, "resync", answers);
        AUDIT.infof("admin action=resync by=%s user=%s sessions=%d pods=%s partial=%s",
                caller.subject(), userId, done.sessionsAffected(), done.podsAnswered(), done.partial());
        return done;
    }

    private ActionDone done(String userId, String action, PeerBus.Answers answers) {
        int affected = answers.byPod().values().stream()
                .mapToInt(node -> json.convertValue(node, Affected.class).sessions()).sum();
        return new ActionDone(userId, action, affected, answers.partial(), answers.asked(), answers.answered());
    }

    /** Every live pod by its heartbeats, and this pod even before its own first heartbeat came back. */
    private Set<String> livePods() {
        Set<String> live = new TreeSet<>();
        pods.live(System.currentTimeMillis()).forEach(pod -> live.add(pod.heartbeat().pod()));
        live.add(local.podId());
        return live;
    }

    private static long orZero(Number value) {
        return value == null ? 0 : value.longValue();
    }

    private static int orZero(Integer value) {
        return Objects.requireNonNullElse(value, 0);
    }
}
