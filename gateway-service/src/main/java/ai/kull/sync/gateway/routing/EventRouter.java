package ai.kull.sync.gateway.routing;

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
import ai.kull.sync.gateway.messaging.ConsumerProgress;
import ai.kull.sync.gateway.metrics.DeliveryLatency;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.metrics.RecordTracing;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.Frames;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.gateway.session.SessionSender;
import ai.kull.sync.gateway.session.SessionStream;
import io.opentelemetry.api.trace.Span;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
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
 * <p>
 * A replay is paced by the session's socket ({@link CatchUp}): half the outbound bound at a time, the next
 * batch when the socket has drained, and records routed meanwhile join its end, so a device that missed
 * more than its bound resumes instead of being closed as slow again and again.
 */
@Singleton
public class EventRouter {

    private static final Logger LOG = Logger.getLogger(EventRouter.class);
    private static final String ADMIN_ONLY_TYPE = MessageType.ADMIN_SESSION_UPDATE.name();
    /** Window entries an event lookup scans per turn of the router's lock. */
    private static final int LOCATE_SLICE = 512;

    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final GatewayMetrics metrics;
    private final Frames frames;
    private final PodId podId;
    private final long heartbeatIntervalMs;
    private final ReplayWindow window;
    private final DeliveryTrace trace;
    private final RecordTracing tracing;
    private final ConsumerProgress consumer;
    /** A replay batch stops once this much is waiting in the session's socket; the next starts at half of it. */
    private final long replayBatchBytes;
    /** Sessions whose replay is still being sent: their records come from the window, not live. */
    private final Map<DeviceSession, CatchUp> catchingUp = new IdentityHashMap<>();

    private TopicLayout layout;
    /** Per slot: the offset after the last record routed. */
    private long[] routed = new long[0];
    /** Used by {@link #route} only, under the lock. */
    private final LastFrame lastFrame = new LastFrame();
    private final RoutingHeaders headers = new RoutingHeaders();
    /** Topic and scope pairs already warned about as not replayable. */
    private final Set<String> warnedUnreplayable = new HashSet<>();

    public EventRouter(SessionRegistry sessions, SessionSender sender, GatewayMetrics metrics, Frames frames,
                       PodId podId, GatewayConfig config, DeliveryTrace trace, RecordTracing tracing,
                       ConsumerProgress consumer) {
        this.consumer = consumer;
        this.trace = trace;
        this.tracing = tracing;
        this.sessions = sessions;
        this.sender = sender;
        this.metrics = metrics;
        this.frames = frames;
        this.podId = podId;
        this.heartbeatIntervalMs = config.heartbeatInterval().toMillis();
        this.window = new ReplayWindow(config.replay().window().toMillis(), config.replay().maxBytes());
        this.replayBatchBytes = config.session().maxPendingBytes() / 2;
        metrics.replayWindowGauges(this, router -> router.windowStat(true), router -> router.windowStat(false));
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
        catchingUp.clear();
        routed = windowStart.clone();
        window.reset(windowStart);
        return routed.clone();
    }

    public synchronized void route(ConsumerRecord<String, byte[]> record) {
        headers.read(record.headers());
        boolean podScope = headers.podScope();
        Scope scope = null;
        if (!podScope) {
            try {
                scope = Scope.fromHeader(headers.scope);
            } catch (IllegalArgumentException unknownScope) {
                metrics.undeliverable("unknown-scope");
                return;
            }
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
        if (podScope) {
            return; // the gateways' own (heartbeats): never kept, never delivered to a device
        }
        String type = headers.type;
        WindowEntry entry = new WindowEntry(slot, record.offset(), record.timestamp(), scope,
                record.key(), type, headers.targetDevice, headers.originDevice, record.value());
        long now = System.currentTimeMillis();
        long position = -1;
        if (slot >= 0) {
            routed[slot] = record.offset() + 1;
            position = window.add(entry, now);
            warnIfUnreplayable(slot, scope, record.topic());
        }
        DeliveryTrace.Recorder traced = scope == Scope.USER ? trace.forRecord(record.key(), now) : null;
        DeliveryLatency latency = metrics.deliveryLatency(type);
        Span span = headers.traceparent == null ? null : tracing.started(headers.traceparent, record.topic(),
                EventHeaders.read(record.headers(), EventHeaders.EVENT_ID), type);
        int delivered = 0;
        DeviceSession firstReached = null;
        lastFrame.clear();
        boolean anyCatchingUp = slot >= 0 && !catchingUp.isEmpty();
        for (DeviceSession session : candidates(scope, record.key())) {
            if (anyCatchingUp && catchingUp.containsKey(session)) {
                if (traced != null) {
                    traced.outcome(DeliveryTrace.Outcome.QUEUED_BEHIND_REPLAY, session);
                }
                continue; // in the window: its catch-up sends it, in order
            }
            if (wants(session, entry)) {
                boolean queued = sender.send(session, frameFor(session, entry, null, lastFrame), latency, record.timestamp());
                if (queued) {
                    delivered++;
                    firstReached = firstReached == null ? session : firstReached;
                }
                if (traced != null) {
                    traced.outcome(queued ? DeliveryTrace.Outcome.DELIVERED : DeliveryTrace.Outcome.DROPPED_OVER_BOUND, session);
                }
            } else if (traced != null) {
                traced.outcome(skipped(session, entry), session);
            }
        }
        if (position >= 0) {
            window.reached(position, delivered);
        }
        if (traced != null) {
            traced.finish(EventHeaders.read(record.headers(), EventHeaders.EVENT_ID), type, record.topic(),
                    record.partition(), record.offset(), record.timestamp(),
                    firstReached == null ? null : cursorOf(firstReached));
        }
        tracing.ended(span, delivered);
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
            session.markResumed();
            metrics.resumed();
            catchUp(session, resumeFrom, null, true);
            consumer.whenReadToEnd(() -> readToEnd(session));
        }
    }

    /** SUBSCRIBE: from now on the session receives the organization's events (the caller checked the token). */
    public synchronized void subscribe(DeviceSession session, String orgId) {
        joinOrg(session, orgId);
        sender.send(session, frames.of(MessageType.SUBSCRIBED, session.identity(), new Subscription(orgId),
                cursorOf(session)));
        Map<Integer, Long> resumedAt = new HashMap<>();
        for (int slot : layout == null ? new int[0] : layout.orgSlots(orgId)) {
            Long at = session.stream().floor().get(slot);
            if (at != null) {
                resumedAt.put(slot, at);
            }
        }
        CatchUp catchUp = catchingUp.get(session);
        if (catchUp != null) {
            // The catch-up collects the org's records from here on (or since the cursor), with the user's.
            for (int slot : layout.orgSlots(orgId)) {
                catchUp.progress.putIfAbsent(slot, resumedAt.getOrDefault(slot, routed[slot]));
            }
        }
        if (!resumedAt.isEmpty()) {
            // Resubscribing after a resume: the org's events since the cursor were missed too.
            replayOrg(session, orgId, resumedAt);
        }
    }

    /**
     * GET_PENDING (seed 004): replays what the session missed between {@code cursorText} and the moment it
     * attached; without a cursor there is nothing to replay.
     */
    public synchronized void pending(DeviceSession session, String cursorText) {
        if (catchingUp.containsKey(session)) {
            return; // the replay under way ends with PENDING_CHECK_COMPLETE
        }
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

    /** Forgets a closed session's catch-up. */
    public synchronized void detach(DeviceSession session) {
        catchingUp.remove(session);
    }

    /** The session's current resume position: behind the window's head while its replay is being sent. */
    public synchronized String cursorOf(DeviceSession session) {
        SessionStream stream = session.stream();
        if (layout == null || stream == null) {
            return null;
        }
        CatchUp catchUp = catchingUp.get(session);
        return Cursor.encode(layout.epoch(), stream.slots(), positions(stream, catchUp == null ? null : catchUp.progress));
    }

    private void joinOrg(DeviceSession session, String orgId) {
        sessions.subscribe(session, orgId);
        if (layout != null) {
            for (int slot : layout.orgSlots(orgId)) {
                session.stream().addSlot(slot);
            }
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

    /** GET_PENDING: what lies between {@code from} and {@code until}, at once (live records keep flowing meanwhile). */
    private void replay(DeviceSession session, Map<Integer, Long> from, Map<Integer, Long> until) {
        if (until.isEmpty()) {
            catchUp(session, from, null, false);
            return;
        }
        Map<Integer, Long> progress = new HashMap<>(session.stream().positionMap(routed));
        progress.putAll(from);
        int sent = 0;
        for (WindowEntry entry : window.between(session.userId(), session.subscribedOrgs(), from, until)) {
            if (wantsIgnoringFloor(session, entry)) {
                progress.put(entry.slot(), entry.offset() + 1);
                sender.send(session, frameFor(session, entry, progress, null));
                sent++;
            }
        }
        complete(session, sent);
    }

    private void replayOrg(DeviceSession session, String orgId, Map<Integer, Long> from) {
        for (Map.Entry<Integer, Long> slot : from.entrySet()) {
            if (!window.holdsFrom(slot.getKey(), slot.getValue())) {
                resync(session, "the cursor is older than the recovery window");
                return;
            }
        }
        // Only the org's records: the user's and other organizations' on the same partitions were sent already.
        List<Long> missed = window.positions(null, Set.of(orgId), from, Map.of(), -1);
        CatchUp catchUp = catchingUp.get(session);
        if (catchUp == null) {
            catchUp(session, from, missed, false);
            return;
        }
        // Already catching up: the org's older records join the queue; later ones it collects itself.
        for (long position : missed) {
            if (position <= catchUp.collectedUpTo) {
                catchUp.queue.add(position);
            }
        }
    }

    /**
     * Starts replaying from {@code from} (per slot) to the window's head, then live; see {@link CatchUp}.
     * {@code missed} (window positions, in order), when given, replaces what is collected first.
     *
     * @param awaitLog whether it completes only once {@link #readToEnd} was called too
     */
    private void catchUp(DeviceSession session, Map<Integer, Long> from, List<Long> missed, boolean awaitLog) {
        Map<Integer, Long> progress = new HashMap<>(session.stream().positionMap(routed));
        progress.putAll(from);
        CatchUp catchUp = new CatchUp(progress);
        catchUp.awaitingLog = awaitLog;
        catchUp.resumedAtNanos = awaitLog ? System.nanoTime() : 0;
        catchUp.queue.addAll(missed != null ? missed
                : window.positions(session.userId(), session.subscribedOrgs(), progress, Map.of(), -1));
        catchUp.collectedUpTo = window.nextPosition() - 1;
        catchingUp.put(session, catchUp);
        continueCatchUp(session, catchUp);
    }

    /** The consumer has read the log as it stood when the session resumed: its catch-up may complete. */
    private synchronized void readToEnd(DeviceSession session) {
        CatchUp catchUp = catchingUp.get(session);
        if (catchUp == null) {
            return; // closed meanwhile
        }
        catchUp.awaitingLog = false;
        if (catchUp.parked) {
            catchUp.parked = false;
            continueCatchUp(session, catchUp);
        }
    }

    /** The next batch, once the socket has drained; runs on the thread that completed the write. */
    private synchronized void continueCatchUp(DeviceSession session) {
        CatchUp catchUp = catchingUp.get(session);
        if (catchUp != null) {
            continueCatchUp(session, catchUp);
        }
    }

    /** Each replayed frame carries the cursor just past it, so a device cut off mid-replay resumes exactly there. */
    private void continueCatchUp(DeviceSession session, CatchUp catchUp) {
        while (!session.closing()) {
            for (Map.Entry<Integer, Long> slot : catchUp.progress.entrySet()) {
                if (session.stream().reads(slot.getKey()) && !window.holdsFrom(slot.getKey(), slot.getValue())) {
                    catchingUp.remove(session);
                    resync(session, "the recovery window moved past this device's replay");
                    return;
                }
            }
            while (session.outbound().pending() < replayBatchBytes) {
                Long position = catchUp.queue.pollFirst();
                if (position == null) {
                    List<Long> arrived = window.positions(session.userId(), session.subscribedOrgs(),
                            catchUp.progress, Map.of(), catchUp.collectedUpTo);
                    catchUp.collectedUpTo = window.nextPosition() - 1;
                    if (arrived.isEmpty()) {
                        if (catchUp.awaitingLog) {
                            catchUp.parked = true; // readToEnd continues it
                            return;
                        }
                        catchingUp.remove(session); // caught up: live from the next record routed
                        complete(session, catchUp.sent);
                        if (catchUp.resumedAtNanos != 0) {
                            metrics.resumeCompleted(System.nanoTime() - catchUp.resumedAtNanos);
                        }
                        return;
                    }
                    catchUp.queue.addAll(arrived);
                    continue;
                }
                WindowEntry entry = window.entryAt(position);
                if (entry != null && wantsIgnoringFloor(session, entry)) {
                    catchUp.progress.put(entry.slot(), entry.offset() + 1);
                    sender.send(session, frameFor(session, entry, catchUp.progress, null));
                    catchUp.sent++;
                }
            }
            if (session.outbound().whenAtMost(replayBatchBytes / 2, () -> continueCatchUp(session))) {
                return;
            }
        }
        catchingUp.remove(session);
    }

    private void complete(DeviceSession session, int sent) {
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
        };
    }

    /**
     * A record a session may receive live but could not get back on resume, because the partitions it reads
     * in that topic (by the topic's role) are not where such a record lands: e.g. a broadcast on a user-keyed
     * topic. Warned once per topic and scope, so the gap is not silent; the fix is the topic's role
     * ({@code gateway.kafka.org-topics}, {@code gateway.kafka.broadcast-topics}) or the publisher's scope.
     */
    private void warnIfUnreplayable(int slot, Scope scope, String topic) {
        TopicRoles.Role role = layout.role(slot);
        boolean replayable = switch (scope) {
            case USER -> role != TopicRoles.Role.ORG_KEYED;
            case ORG -> role == TopicRoles.Role.ORG_KEYED;
            case BROADCAST -> role == TopicRoles.Role.BROADCAST;
        };
        if (!replayable && warnedUnreplayable.add(topic + "/" + scope)) {
            LOG.warnf("%s records of scope %s are delivered live but a resuming device cannot get them back: "
                    + "the topic is %s; declare its role in gateway.kafka.org-topics or gateway.kafka.broadcast-topics",
                    topic, scope, role);
        }
    }

    /** Why {@link #wants} said no, for a delivery trace. */
    private static DeliveryTrace.Outcome skipped(DeviceSession session, WindowEntry entry) {
        if (entry.targetDevice() != null && !entry.targetDevice().equals(session.deviceId())) {
            return DeliveryTrace.Outcome.SKIPPED_TARGET_DEVICE;
        }
        if (entry.originDevice() != null && entry.originDevice().equals(session.deviceId())) {
            return DeliveryTrace.Outcome.SKIPPED_ORIGIN;
        }
        if (ADMIN_ONLY_TYPE.equals(entry.type()) && !session.identity().isAdmin()) {
            return DeliveryTrace.Outcome.SKIPPED_NOT_ADMIN;
        }
        return DeliveryTrace.Outcome.SKIPPED_SEEN_BEFORE;
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
        long[] at = positions(stream, positions);
        if (last != null && last.hasCursor(slots, at)) {
            return last.frame();
        }
        String frame = Frames.withCursor(entry.text(), Cursor.encode(layout.epoch(), slots, at));
        if (last != null) {
            last.remember(slots, at, frame);
        }
        return frame;
    }

    /** An operator asked the session to refetch state: RESYNC_REQUIRED with a fresh cursor. */
    public synchronized void forceResync(DeviceSession session) {
        resync(session, "requested by an operator");
    }

    /** The replay window's size and the age of its oldest record (0 when empty), for the pod's heartbeat. */
    public synchronized ReplayWindow.Figures windowFigures(long now) {
        return window.figures(now);
    }

    /**
     * Where an event still in the replay window sits and how many of this pod's sessions it reached, or null.
     * Scans the window newest first (an admin request, rate limited), in slices between which routing goes on.
     */
    public EventLocation locate(String eventId) {
        byte[] needle = ReplayWindow.idNeedle(eventId);
        long from;
        synchronized (this) {
            from = window.newestPosition();
        }
        while (true) {
            // A slice at a time under the lock, so routing waits for one slice, never for a whole window's scan.
            synchronized (this) {
                if (from < window.oldestPosition() || layout == null) {
                    return null;
                }
                ReplayWindow.Found found = window.find(needle, from, LOCATE_SLICE);
                if (found != null) {
                    WindowEntry entry = found.entry();
                    TopicPartition partition = layout.partitionOf(entry.slot());
                    return new EventLocation(eventId, partition.topic(), partition.partition(), entry.offset(),
                            entry.type(), entry.scope() == Scope.USER ? entry.key() : null, entry.timestamp(),
                            found.reached());
                }
            }
            from -= LOCATE_SLICE;
        }
    }

    /** An event found in the replay window; {@code userId} null for org and broadcast events. */
    public record EventLocation(String eventId, String topic, int partition, long offset, String type,
                                String userId, long recordTimestamp, int sessionsReached) {
    }

    /** The stream's positions, with {@code overrides} (a replay's progress) where it has them. */
    private long[] positions(SessionStream stream, Map<Integer, Long> overrides) {
        int[] slots = stream.slots();
        long[] at = stream.positions(routed);
        if (overrides != null) {
            for (int i = 0; i < slots.length; i++) {
                at[i] = overrides.getOrDefault(slots[i], at[i]);
            }
        }
        return at;
    }

    private synchronized double windowStat(boolean bytes) {
        return bytes ? window.bytes() : window.size();
    }

    /**
     * {@link #attach(DeviceSession, String, String)}, or, with {@code resyncReasonOrNull}, a fresh session told
     * RESYNC_REQUIRED with that reason right after CONNECTION_ESTABLISHED (a {@code cursor=acked} with none stored).
     */
    public synchronized void attach(DeviceSession session, String pathOrg, String cursorText, String resyncReasonOrNull) {
        attach(session, pathOrg, resyncReasonOrNull == null ? cursorText : null);
        if (resyncReasonOrNull != null) {
            resync(session, resyncReasonOrNull);
        }
    }

    /**
     * The positions of a cursor this pod could resume from, by partition (the next offset not seen); null when it is
     * unreadable or of another topic layout. Read-only: for ACK's check and the trace's "acknowledged".
     */
    public synchronized Map<TopicPartition, Long> positionsOf(String cursorText) {
        Cursor cursor = Cursor.parse(cursorText).orElse(null);
        if (layout == null || cursor == null || !cursor.epoch().equals(layout.epoch())) {
            return null;
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (Map.Entry<Integer, Long> slot : cursor.positions().entrySet()) {
            if (slot.getKey() >= layout.slotCount()) {
                return null;
            }
            positions.put(layout.partitionOf(slot.getKey()), slot.getValue());
        }
        return positions;
    }
}
