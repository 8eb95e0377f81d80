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
import ai.kull.sync.gateway.messaging.EventLog;
import ai.kull.sync.gateway.messaging.LogReader;
import ai.kull.sync.gateway.metrics.DeliveryLatency;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.metrics.RecordTracing;
import ai.kull.sync.gateway.replay.CatchUp;
import ai.kull.sync.gateway.replay.DeliveryRule;
import ai.kull.sync.gateway.replay.ReplayWindow;
import ai.kull.sync.gateway.replay.WindowEntry;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.Offsets;
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
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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
public class EventRouter implements CatchUp.Host {

    private static final Logger LOG = Logger.getLogger(EventRouter.class);
    /** Window entries an event lookup scans per turn of the router's lock. */
    private static final int LOCATE_SLICE = 512;

    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final GatewayMetrics metrics;
    private final Frames frames;
    private final PodId podId;
    private final long heartbeatIntervalMs;
    /** Announced in CONNECTION_ESTABLISHED, so clients follow this gateway's limits instead of copies of them. */
    private final GatewayConfig.Session limits;
    private final ReplayWindow window;
    private final DeliveryTrace trace;
    private final RecordTracing tracing;
    private final ConsumerProgress consumer;
    /** A replay batch stops once this much is waiting in the session's socket; the next starts at half of it. */
    private final long replayBatchBytes;
    /** Sessions whose replay is still being sent: their records come from the window, not live. */
    private final Map<DeviceSession, CatchUp> catchingUp = new IdentityHashMap<>();
    /** Replays sent beside live delivery (GET_PENDING's: what lies before the session attached). */
    private final Set<CatchUp> asides = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final EventLog log;

    private TopicLayout layout;
    /** Per slot: the offset after the last record routed. */
    private long[] routed = new long[0];
    static final String AHEAD_OF_THE_LOG = "the cursor is ahead of the event log";
    /** Turns a record the log readers read into a window entry (shared by every request under this layout). */
    private Function<ConsumerRecord<String, byte[]>, WindowEntry> logDecoder;
    /** Used by {@link #route} only, under the lock. */
    private final LastFrame lastFrame = new LastFrame();
    private final RoutingHeaders headers = new RoutingHeaders();
    /** Topic and scope pairs already warned about as not replayable. */
    private final Set<String> warnedUnreplayable = new HashSet<>();

    public EventRouter(SessionRegistry sessions, SessionSender sender, GatewayMetrics metrics, Frames frames,
                       PodId podId, GatewayConfig config, DeliveryTrace trace, RecordTracing tracing,
                       ConsumerProgress consumer, EventLog log) {
        this.consumer = consumer;
        this.log = log;
        this.trace = trace;
        this.tracing = tracing;
        this.sessions = sessions;
        this.sender = sender;
        this.metrics = metrics;
        this.frames = frames;
        this.podId = podId;
        this.heartbeatIntervalMs = config.heartbeatInterval().toMillis();
        this.limits = config.session();
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
        logDecoder = logDecoder(next);
        catchingUp.values().forEach(CatchUp::end);
        catchingUp.clear();
        asides.forEach(CatchUp::end);
        asides.clear();
        routed = windowStart.clone();
        window.reset(windowStart);
        return routed.clone();
    }

    /**
     * Routes one record read by the consumer.
     *
     * @param polledAt {@link System#nanoTime()} when the consumer's poll returned it: where the gateway-added
     *                 latency of its deliveries starts
     */
    public synchronized void route(ConsumerRecord<String, byte[]> record, long polledAt) {
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
            DeliveryRule.Verdict verdict = DeliveryRule.live(session, entry);
            if (verdict == DeliveryRule.Verdict.DELIVER) {
                boolean queued = sender.send(session, frameFor(session, entry, null, lastFrame), latency,
                        record.timestamp(), polledAt);
                if (queued) {
                    delivered++;
                    firstReached = firstReached == null ? session : firstReached;
                }
                if (traced != null) {
                    traced.outcome(queued ? DeliveryTrace.Outcome.DELIVERED : DeliveryTrace.Outcome.DROPPED_OVER_BOUND, session);
                }
            } else if (traced != null) {
                traced.outcome(traced(verdict), session);
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
     * asked to resume from {@code cursorText}, every event it missed (from the window or the log) and
     * PENDING_CHECK_COMPLETE, or RESYNC_REQUIRED when they cannot all be replayed.
     *
     * @param pathOrg the organization of an org endpoint path, or null
     */
    public synchronized void attach(DeviceSession session, String pathOrg, String cursorText) {
        int[] slots = layout == null ? new int[0] : layout.userSlots(session.userId());
        Offsets resumeFrom = null;
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
        stream.started(stream.positionOffsets(routed));
        // A resuming device stands at its own cursor until the replay that follows has moved it on.
        String cursor = resumeFrom != null ? cursorText : cursorOf(session);
        sender.send(session, frames.of(MessageType.CONNECTION_ESTABLISHED, session.identity(),
                new ConnectionEstablished(session.connection().id(), session.userId(), session.deviceId(),
                        podId.value(), heartbeatIntervalMs, resumeFrom != null, cursor, limits.maxMessageBytes(),
                        limits.inboundRate(), limits.inboundBurst()), cursor));
        if (resyncReason != null) {
            resync(session, resyncReason);
        } else if (resumeFrom != null) {
            session.markResumed();
            metrics.resumed();
            CatchUp catchUp = new CatchUp(session, this, replayBatchBytes, startingAt(session, resumeFrom),
                    Offsets.none(), true);
            catchingUp.put(session, catchUp);
            catchUp.start();
            consumer.whenReadToEnd(reachedEnd -> readToEnd(session, reachedEnd));
        }
    }

    /** SUBSCRIBE: from now on the session receives the organization's events (the caller checked the token). */
    public synchronized void subscribe(DeviceSession session, String orgId) {
        joinOrg(session, orgId);
        sender.send(session, frames.of(MessageType.SUBSCRIBED, session.identity(), new Subscription(orgId),
                cursorOf(session)));
        if (layout == null) {
            return;
        }
        // Resubscribing after a resume: the org's events since the cursor were missed too.
        Offsets resumedAt = Offsets.none();
        Offsets now = Offsets.none();
        for (int slot : layout.orgSlots(orgId)) {
            now.put(slot, routed[slot]);
            if (session.stream().floor().has(slot)) {
                resumedAt.put(slot, session.stream().floor().get(slot));
            }
        }
        CatchUp catchUp = catchingUp.get(session);
        if (catchUp != null) {
            catchUp.addOrg(orgId, resumedAt, now); // it collects the org's records with the user's
        } else if (!resumedAt.isEmpty()) {
            catchUp = new CatchUp(session, this, replayBatchBytes, session.stream().positionOffsets(routed),
                    Offsets.none(), false);
            catchUp.addOrg(orgId, resumedAt, now);
            catchingUp.put(session, catchUp);
            catchUp.start();
        }
    }

    /**
     * GET_PENDING (seed 004): replays what the session missed between {@code cursorText} and the moment it
     * attached (live records keep flowing meanwhile); without a cursor there is nothing to replay.
     */
    public synchronized void pending(DeviceSession session, String cursorText) {
        if (catchingUp.containsKey(session)) {
            return; // the replay under way ends with PENDING_CHECK_COMPLETE
        }
        if (cursorText == null) {
            complete(session, 0);
            return;
        }
        Cursor cursor = Cursor.parse(cursorText).orElse(null);
        String reason = unreplayable(cursor, session.stream().slots());
        if (reason != null) {
            resync(session, reason);
            return;
        }
        Offsets start = session.stream().start();
        Offsets from = Offsets.none();
        start.forEach((slot, at) -> from.put(slot, cursor.positions().has(slot) ? cursor.positions().get(slot) : at));
        CatchUp catchUp = new CatchUp(session, this, replayBatchBytes, from, start, false);
        asides.add(catchUp);
        catchUp.start();
    }

    /** Forgets a closed session's replays. */
    public synchronized void detach(DeviceSession session) {
        CatchUp catchUp = catchingUp.remove(session);
        if (catchUp != null) {
            catchUp.end();
        }
        asides.removeIf(aside -> {
            if (aside.session() == session) {
                aside.end();
                return true;
            }
            return false;
        });
    }

    /** The session's current resume position: behind the window's head while its replay is being sent. */
    public synchronized String cursorOf(DeviceSession session) {
        SessionStream stream = session.stream();
        if (layout == null || stream == null) {
            return null;
        }
        CatchUp catchUp = catchingUp.get(session);
        return Cursor.encode(layout.epoch(), stream.slots(), positions(stream, catchUp == null ? null : catchUp.cursorPositions()));
    }

    private void joinOrg(DeviceSession session, String orgId) {
        sessions.subscribe(session, orgId);
        if (layout != null) {
            for (int slot : layout.orgSlots(orgId)) {
                session.stream().addSlot(slot);
            }
        }
    }

    /**
     * Where a resume's replay starts: the cursor's offsets for the slots the session reads, and where the session
     * stands for the rest (a slot the cursor names that the session does not read, e.g. of an organization it
     * has not joined again yet, is replayed by that SUBSCRIBE).
     */
    private Offsets startingAt(DeviceSession session, Offsets cursor) {
        Offsets from = session.stream().positionOffsets(routed);
        for (int slot : session.stream().slots()) {
            if (cursor.has(slot)) {
                from.put(slot, cursor.get(slot));
            }
        }
        return from;
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
            if (!cursor.positions().has(slot)) {
                return "the cursor does not cover this session's partitions";
            }
        }
        return null;
    }

    /**
     * The consumer has read the log as it stood when the session resumed: its catch-up may complete. A cursor
     * beyond what the log held then was not issued by it (edited, or the log lost records: an unclean leader
     * election, a restored broker): honouring it would skip the device's own events as seen, so it resyncs.
     */
    private synchronized void readToEnd(DeviceSession session, boolean reachedEnd) {
        CatchUp catchUp = catchingUp.get(session);
        if (catchUp == null) {
            return;
        }
        SessionStream stream = session.stream();
        boolean ahead = false;
        for (int slot : stream.slots()) {
            ahead |= reachedEnd && stream.floor().has(slot) && stream.floor().get(slot) > routed[slot];
        }
        if (ahead) {
            catchUp.end();
            forget(catchUp);
            stream.forgetFloor();
            resync(session, AHEAD_OF_THE_LOG);
            return;
        }
        catchUp.logEndReached();
    }

    @Override
    public ReplayWindow window() {
        return window;
    }

    @Override
    public long routedTo(int slot) {
        return routed[slot];
    }

    @Override
    public void send(CatchUp catchUp, WindowEntry entry) {
        sender.send(catchUp.session(), frameFor(catchUp.session(), entry, catchUp.cursorPositions(), null));
    }

    @Override
    public void readLog(CatchUp catchUp, Offsets from, Offsets until) {
        TopicLayout at = layout;
        Map<TopicPartition, LogReader.Range> partitions = new HashMap<>();
        Map<TopicPartition, Integer> slots = new HashMap<>();
        from.forEach((slot, offset) -> {
            TopicPartition partition = at.partitionOf(slot);
            // Keyed topics by key: another user's record there is skipped without being decoded.
            partitions.put(partition, new LogReader.Range(offset, until.get(slot),
                    at.role(slot) != TopicRoles.Role.BROADCAST));
            slots.put(partition, slot);
        });
        DeviceSession session = catchUp.session();
        Set<String> keys = new HashSet<>(session.subscribedOrgs());
        keys.add(session.userId());
        log.read(new LogReader.Request<>(partitions, keys, logDecoder,
                entry -> DeliveryRule.replayed(session, entry) == DeliveryRule.Verdict.DELIVER,
                replayBatchBytes, result -> logRead(catchUp, result, at, slots)));
    }

    private synchronized void logRead(CatchUp catchUp, LogReader.Result<WindowEntry> result, TopicLayout at,
                                      Map<TopicPartition, Integer> slots) {
        String failure = at != layout ? "the event topics changed since the cursor was issued"
                : result.truncated() != null ? CatchUp.OLDER_THAN_RETENTION
                : result.failure() != null ? CatchUp.LOG_UNREADABLE
                : null;
        if (failure != null) {
            if (result.truncated() != null) {
                LOG.debugf("%s: the log of %s starts at %d, after the cursor", catchUp.session().userId(),
                        result.truncated(), result.logStart());
            }
            result.release().run();
            catchUp.logRead(null, failure);
            return;
        }
        Offsets reached = Offsets.none();
        result.reached().forEach((partition, offset) -> reached.put(slots.get(partition), offset));
        catchUp.logRead(new CatchUp.LogBatch(result.items(), reached, result.release()), null);
    }

    @Override
    public boolean whenDrained(CatchUp catchUp, long bytes) {
        return catchUp.session().outbound().whenAtMost(bytes, () -> proceed(catchUp));
    }

    private synchronized void proceed(CatchUp catchUp) {
        catchUp.proceed();
    }

    @Override
    public void caughtUp(CatchUp catchUp) {
        DeviceSession session = catchUp.session();
        forget(catchUp);
        complete(session, catchUp.sent());
        if (catchUp.logReads() > 0) {
            metrics.replayedFromLog();
        }
    }

    @Override
    public void resync(CatchUp catchUp, String reason) {
        forget(catchUp);
        resync(catchUp.session(), reason);
    }

    private void forget(CatchUp catchUp) {
        if (!catchingUp.remove(catchUp.session(), catchUp)) {
            asides.remove(catchUp);
        } else if (catchUp.state() == CatchUp.State.LIVE && catchUp.awaitedLogEnd()) {
            metrics.resumeCompleted(System.nanoTime() - catchUp.startedNanos());
        }
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

    /** The trace's name for the rule's no. */
    private static DeliveryTrace.Outcome traced(DeliveryRule.Verdict verdict) {
        return switch (verdict) {
            case DELIVER -> DeliveryTrace.Outcome.DELIVERED;
            case TARGET_DEVICE -> DeliveryTrace.Outcome.SKIPPED_TARGET_DEVICE;
            case ORIGIN -> DeliveryTrace.Outcome.SKIPPED_ORIGIN;
            case NOT_ADMIN -> DeliveryTrace.Outcome.SKIPPED_NOT_ADMIN;
            case SEEN_BEFORE, NOT_ADDRESSED -> DeliveryTrace.Outcome.SKIPPED_SEEN_BEFORE;
        };
    }

    /** A log reader's decoder: each reader thread reads headers into its own holder. */
    private static Function<ConsumerRecord<String, byte[]>, WindowEntry> logDecoder(TopicLayout layout) {
        ThreadLocal<RoutingHeaders> headers = ThreadLocal.withInitial(RoutingHeaders::new);
        return record -> eventEntry(headers.get(), record, layout.slot(record.topic(), record.partition()));
    }

    /**
     * The event a record carries, from its key and headers (read into {@code headers}), or null for what is no
     * event: a tombstone, an unknown scope, the gateways' own heartbeats.
     */
    private static WindowEntry eventEntry(RoutingHeaders headers, ConsumerRecord<String, byte[]> record, int slot) {
        headers.read(record.headers());
        if (record.value() == null || headers.podScope()) {
            return null;
        }
        Scope scope;
        try {
            scope = Scope.fromHeader(headers.scope);
        } catch (IllegalArgumentException unknownScope) {
            return null;
        }
        return new WindowEntry(slot, record.offset(), record.timestamp(), scope, record.key(), headers.type,
                headers.targetDevice, headers.originDevice, record.value());
    }

    /**
     * The record's JSON with the session's cursor, or as it is for records outside the event topics
     * (presence). {@code positions} overrides the session's position during a replay. With {@code last}, a
     * session whose cursor equals the previous one's (another device of the same user, as a rule) gets the
     * same frame instead of an encoding of its own.
     */
    private String frameFor(DeviceSession session, WindowEntry entry, Offsets positions, LastFrame last) {
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
    private long[] positions(SessionStream stream, Offsets overrides) {
        int[] slots = stream.slots();
        long[] at = stream.positions(routed);
        if (overrides != null) {
            for (int i = 0; i < slots.length; i++) {
                long override = overrides.get(slots[i]); // -1: none
                if (override >= 0) {
                    at[i] = override;
                }
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
        for (int slot : cursor.positions().slots()) {
            if (slot >= layout.slotCount()) {
                return null;
            }
            positions.put(layout.partitionOf(slot), cursor.positions().get(slot));
        }
        return positions;
    }
}
