package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Scope;
import ai.kull.sync.events.payload.ConnectionEstablished;
import ai.kull.sync.events.payload.PendingCheckComplete;
import ai.kull.sync.events.payload.ResyncRequired;
import ai.kull.sync.events.payload.Subscription;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.replay.Cursor;
import ai.kull.sync.gateway.replay.ReplayWindow;
import ai.kull.sync.gateway.replay.SessionStream;
import ai.kull.sync.gateway.replay.TopicLayout;
import ai.kull.sync.gateway.replay.WindowEntry;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.SessionRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Delivers each Kafka record to the local sessions it is meant for, deciding on key and headers only (the
 * value is never parsed, and decoded to text once), keeps every event record in the replay window, and
 * stamps each delivery with the session's cursor.
 * <p>
 * Routing, attaching a session (with its replay) and subscribing are serialized by this object's lock, so
 * a session sees every record exactly once: those routed before it attached come from the window, those
 * after, live. Nothing under the lock blocks: sends only queue frames.
 */
@Singleton
public class EventRouter {

    private static final Logger LOG = Logger.getLogger(EventRouter.class);
    private static final String ADMIN_ONLY_TYPE = MessageType.ADMIN_SESSION_UPDATE.name();

    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final GatewayMetrics metrics;
    private final Frames frames;
    private final PodId podId;
    private final long heartbeatIntervalMs;
    private final ReplayWindow window;

    private TopicLayout layout;
    /** Per slot: the offset after the last record routed. */
    private long[] routed = new long[0];
    /** Used by {@link #route} only, under the lock. */
    private final LastFrame lastFrame = new LastFrame();
    private final RoutingHeaders headers = new RoutingHeaders();

    public EventRouter(SessionRegistry sessions, SessionSender sender, GatewayMetrics metrics, Frames frames,
                       PodId podId, GatewayConfig config, MeterRegistry meters) {
        this.sessions = sessions;
        this.sender = sender;
        this.metrics = metrics;
        this.frames = frames;
        this.podId = podId;
        this.heartbeatIntervalMs = config.heartbeatInterval().toMillis();
        this.window = new ReplayWindow(config.replay().window().toMillis(), config.replay().maxBytes());
        Gauge.builder("sync.gateway.replay.window.bytes", this, router -> router.windowStat(true))
                .description("Bytes held by the replay window").register(meters);
        Gauge.builder("sync.gateway.replay.window.events", this, router -> router.windowStat(false))
                .description("Events held by the replay window").register(meters);
    }

    /**
     * Called by the consumer before it reads. With the layout it already routed under (a consumer restart),
     * nothing changes and it continues where routing stopped; with a new one, the window starts empty at
     * {@code windowStart} and sessions attached under the old layout are closed so they resume afresh.
     *
     * @return the offset per slot to read from
     */
    public synchronized long[] start(TopicLayout next, long[] windowStart) {
        if (layout != null && layout.epoch().equals(next.epoch())) {
            return routed.clone();
        }
        if (layout != null) {
            LOG.warnf("topic layout changed (%s -> %s): closing sessions so they resync", layout.epoch(), next.epoch());
            sessions.all().forEach(s -> sender.close(s, CloseCodes.SERVICE_RESTART, "topic layout changed"));
        }
        layout = next;
        routed = windowStart.clone();
        window.reset(windowStart);
        return routed.clone();
    }

    public synchronized void route(ConsumerRecord<String, byte[]> record) {
        headers.read(record.headers());
        Scope scope;
        try {
            scope = Scope.fromHeader(headers.scope);
        } catch (IllegalArgumentException unknownScope) {
            metrics.undeliverable("unknown-scope");
            return;
        }
        int slot = layout == null ? -1 : layout.slot(record.topic(), record.partition());
        if (record.value() == null) {
            // A tombstone carries no event; counted so the team that wrote it can find it.
            metrics.undeliverable("no-value");
            if (slot >= 0) {
                routed[slot] = record.offset() + 1;
            }
            return;
        }
        String type = headers.type;
        WindowEntry entry = new WindowEntry(slot, record.offset(), record.timestamp(), scope,
                record.key(), type, headers.targetDevice, headers.originDevice, record.value());
        if (slot >= 0 && scope != Scope.POD) {
            routed[slot] = record.offset() + 1;
            window.add(entry, System.currentTimeMillis());
        }
        int delivered = 0;
        lastFrame.clear();
        for (DeviceSession session : candidates(scope, record.key())) {
            if (wants(session, entry)) {
                sender.send(session, frameFor(session, entry, null, lastFrame));
                delivered++;
            }
        }
        metrics.delivered(type, delivered);
    }

    /**
     * Registers a new session and writes its first frames in order: CONNECTION_ESTABLISHED, then, when it
     * asked to resume from {@code cursorText}, every event it missed and PENDING_CHECK_COMPLETE, or
     * RESYNC_REQUIRED when they cannot all be replayed.
     *
     * @param pathOrg the organization of an org endpoint path, or null
     */
    public synchronized void attach(DeviceSession session, String pathOrg, String cursorText) {
        int[] slots = layout == null ? new int[0] : layout.userSlots(session.userId());
        Map<Integer, Long> resumeFrom = null;
        String resyncReason = null;
        if (cursorText != null) {
            Cursor cursor = Cursor.parse(cursorText).orElse(null);
            resyncReason = unreplayable(cursor, slots);
            resumeFrom = resyncReason == null ? cursor.positions() : null;
        }
        SessionStream stream = new SessionStream(slots, resumeFrom);
        session.stream(stream);
        sessions.add(session);
        if (pathOrg != null) {
            joinOrg(session, pathOrg);
        }
        stream.started(stream.positionMap(routed));
        // A resuming device stands at its own cursor until the replay that follows has moved it on.
        String cursor = resumeFrom != null ? cursorText : cursorOf(session);
        sender.send(session, frames.of(MessageType.CONNECTION_ESTABLISHED, session.identity(),
                new ConnectionEstablished(session.connection().id(), session.userId(), session.deviceId(),
                        podId.value(), heartbeatIntervalMs, resumeFrom != null, cursor), cursor));
        if (resyncReason != null) {
            resync(session, resyncReason);
        } else if (resumeFrom != null) {
            metrics.resumed();
            replay(session, resumeFrom, Map.of());
        }
    }

    /** SUBSCRIBE: from now on the session receives the organization's events (the caller checked the token). */
    public synchronized void subscribe(DeviceSession session, String orgId) {
        joinOrg(session, orgId);
        sender.send(session, frames.of(MessageType.SUBSCRIBED, session.identity(), new Subscription(orgId),
                cursorOf(session)));
        int slot = layout == null ? -1 : layout.orgSlot(orgId);
        Long resumedAt = session.stream().floor().get(slot);
        if (resumedAt != null) {
            // Resubscribing after a resume: the org's events since the cursor were missed too.
            replayOrg(session, orgId, slot, resumedAt);
        }
    }

    /**
     * GET_PENDING (seed 004): replays what the session missed between {@code cursorText} and the moment it
     * attached; without a cursor there is nothing to replay.
     */
    public synchronized void pending(DeviceSession session, String cursorText) {
        if (cursorText == null) {
            sender.send(session, frames.of(MessageType.PENDING_CHECK_COMPLETE, session.identity(),
                    new PendingCheckComplete(0, cursorOf(session)), cursorOf(session)));
            return;
        }
        Cursor cursor = Cursor.parse(cursorText).orElse(null);
        String reason = unreplayable(cursor, session.stream().slots());
        if (reason != null) {
            resync(session, reason);
            return;
        }
        replay(session, cursor.positions(), session.stream().start());
    }

    /** The session's current resume position. */
    public synchronized String cursorOf(DeviceSession session) {
        SessionStream stream = session.stream();
        return layout == null || stream == null ? null
                : Cursor.encode(layout.epoch(), stream.slots(), stream.positions(routed));
    }

    private void joinOrg(DeviceSession session, String orgId) {
        sessions.subscribe(session, orgId);
        if (layout != null) {
            session.stream().addSlot(layout.orgSlot(orgId));
        }
    }

    /** @return why the cursor cannot be replayed exactly, or null when it can */
    private String unreplayable(Cursor cursor, int[] slots) {
        if (cursor == null) {
            return "unreadable cursor";
        }
        if (layout == null || !layout.epoch().equals(cursor.epoch())) {
            return "the event topics changed since the cursor was issued";
        }
        for (int slot : slots) {
            Long position = cursor.positions().get(slot);
            if (position == null) {
                return "the cursor does not cover this session's partitions";
            }
            if (!window.holdsFrom(slot, position)) {
                return "the cursor is older than the recovery window";
            }
        }
        return null;
    }

    private void replay(DeviceSession session, Map<Integer, Long> from, Map<Integer, Long> until) {
        List<WindowEntry> missed = window.between(session.userId(), session.subscribedOrgs(), from, until);
        sendReplayed(session, missed, from);
    }

    private void replayOrg(DeviceSession session, String orgId, int slot, long from) {
        if (!window.holdsFrom(slot, from)) {
            resync(session, "the cursor is older than the recovery window");
            return;
        }
        Map<Integer, Long> fromMap = Map.of(slot, from);
        sendReplayed(session, window.between(null, Set.of(orgId), fromMap, Map.of()), fromMap);
    }

    /** Each replayed frame carries the cursor just past it, so a device cut off mid-replay resumes exactly there. */
    private void sendReplayed(DeviceSession session, List<WindowEntry> missed, Map<Integer, Long> from) {
        Map<Integer, Long> progress = new HashMap<>(session.stream().positionMap(routed));
        progress.putAll(from);
        int sent = 0;
        for (WindowEntry entry : missed) {
            if (wantsIgnoringFloor(session, entry)) {
                progress.put(entry.slot(), entry.offset() + 1);
                sender.send(session, frameFor(session, entry, progress, null));
                sent++;
            }
        }
        metrics.replayed(sent);
        String cursor = cursorOf(session);
        sender.send(session, frames.of(MessageType.PENDING_CHECK_COMPLETE, session.identity(),
                new PendingCheckComplete(sent, cursor), cursor));
    }

    private void resync(DeviceSession session, String reason) {
        metrics.resync(reason);
        String cursor = cursorOf(session);
        sender.send(session, frames.of(MessageType.RESYNC_REQUIRED, session.identity(),
                new ResyncRequired(reason, cursor), cursor));
    }

    private Collection<DeviceSession> candidates(Scope scope, String key) {
        return switch (scope) {
            case USER -> sessions.forUser(key);
            case ORG -> sessions.forOrg(key);
            case BROADCAST -> sessions.all();
            case POD -> List.of();
        };
    }

    private boolean wants(DeviceSession session, WindowEntry entry) {
        SessionStream stream = session.stream();
        if (stream != null && entry.slot() >= 0 && stream.seenBefore(entry.slot(), entry.offset())) {
            return false; // delivered before the device resumed here (this pod reads behind the one it left)
        }
        return wantsIgnoringFloor(session, entry);
    }

    private static boolean wantsIgnoringFloor(DeviceSession session, WindowEntry entry) {
        return (entry.targetDevice() == null || entry.targetDevice().equals(session.deviceId()))
                && (entry.originDevice() == null || !entry.originDevice().equals(session.deviceId()))
                && (!ADMIN_ONLY_TYPE.equals(entry.type()) || session.identity().isAdmin())
                && (entry.scope() != Scope.USER || entry.key() == null || entry.key().equals(session.userId()));
    }

    /**
     * The record's JSON with the session's cursor, or as it is for records outside the event topics
     * (presence). {@code positions} overrides the session's position during a replay. With {@code last}, a
     * session whose cursor equals the previous one's (another device of the same user, as a rule) gets the
     * same frame instead of an encoding of its own.
     */
    private String frameFor(DeviceSession session, WindowEntry entry, Map<Integer, Long> positions, LastFrame last) {
        SessionStream stream = session.stream();
        if (entry.slot() < 0 || stream == null || layout == null) {
            return entry.text();
        }
        int[] slots = stream.slots();
        long[] at = stream.positions(routed);
        if (positions != null) {
            for (int i = 0; i < slots.length; i++) {
                at[i] = positions.getOrDefault(slots[i], at[i]);
            }
        }
        if (last != null && last.hasCursor(slots, at)) {
            return last.frame;
        }
        String frame = Frames.withCursor(entry.text(), Cursor.encode(layout.epoch(), slots, at));
        if (last != null) {
            last.remember(slots, at, frame);
        }
        return frame;
    }

    /**
     * The headers routing depends on, read in one pass into this holder, which {@link #route} reuses: every
     * record of every partition passes through here, most of them for no session of this pod, and looking
     * each header up by name scanned them all four times. As with {@link EventHeaders#read}, the last header
     * of a name wins. The scope is matched on its bytes, and a known event type is kept as its constant's
     * name, so the replay window does not hold a copy of it per event.
     */
    private static final class RoutingHeaders {

        private static final Map<String, String> KNOWN_TYPES = Arrays.stream(MessageType.values())
                .collect(java.util.stream.Collectors.toUnmodifiableMap(MessageType::name, MessageType::name));

        byte[] scope;
        String type;
        String targetDevice;
        String originDevice;
        /** Consecutive records mostly share a type: its name is reused rather than decoded again. */
        private byte[] lastTypeBytes;
        private String lastType;

        void read(Headers headers) {
            scope = null;
            byte[] typeBytes = null;
            targetDevice = null;
            originDevice = null;
            for (Header header : headers) {
                // equals, not a switch: the names differ in length, so most comparisons end there, unhashed
                String name = header.key();
                if (name.equals(EventHeaders.SCOPE)) {
                    scope = header.value();
                } else if (name.equals(EventHeaders.EVENT_TYPE)) {
                    typeBytes = header.value();
                } else if (name.equals(EventHeaders.TARGET_DEVICE)) {
                    targetDevice = text(header);
                } else if (name.equals(EventHeaders.ORIGIN_DEVICE)) {
                    originDevice = text(header);
                }
            }
            type = typeName(typeBytes);
        }

        private String typeName(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            if (!Arrays.equals(bytes, lastTypeBytes)) {
                String decoded = new String(bytes, StandardCharsets.UTF_8);
                lastType = KNOWN_TYPES.getOrDefault(decoded, decoded);
                lastTypeBytes = bytes;
            }
            return lastType;
        }

        private static String text(Header header) {
            return header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The frame last written for the record being routed and the cursor in it. Profiling a fan-out to ten
     * devices per user showed encoding one cursor and frame per session as the router's largest cost; the
     * devices of one user nearly always stand at the same position, so their frames are the same text.
     */
    private static final class LastFrame {
        private int[] slots;
        private long[] at;
        private String frame;

        void clear() {
            frame = null;
        }

        boolean hasCursor(int[] slots, long[] at) {
            return frame != null && Arrays.equals(this.slots, slots) && Arrays.equals(this.at, at);
        }

        void remember(int[] slots, long[] at, String frame) {
            this.slots = slots;
            this.at = at;
            this.frame = frame;
        }
    }

    private synchronized double windowStat(boolean bytes) {
        return bytes ? window.bytes() : window.size();
    }
}
