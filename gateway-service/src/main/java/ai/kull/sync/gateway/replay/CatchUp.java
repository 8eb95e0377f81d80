package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Scope;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.Offsets;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One session's replay: what it missed, read from the replay window where it still holds it and from the Kafka
 * log below that, sent as the session's socket drains, until it has caught up and goes live. Started by a resume,
 * GET_PENDING or an organization's replay on SUBSCRIBE; only its {@link Host} (the router, under its lock) calls it.
 * <pre>
 *            start()
 *               │
 *               ▼        a slot's progress is below what the window holds
 *   ┌──▶ FROM_WINDOW ───────────────────────────────────────────▶ FROM_LOG ──(records read)──┐
 *   │        │  nothing left to collect                            │ retention deleted them  │
 *   │        ▼                                                     ▼                         │
 *   │   (a resume that the pod has not read up to) AWAITING_LOG_END     ENDED (RESYNC_REQUIRED)   │
 *   │        │  logEndReached()                                                              │
 *   └────────┴──────────────────────────────────────────────────────────────────────────────┘
 *            then LIVE: PENDING_CHECK_COMPLETE; records routed from now on go to the session directly
 * </pre>
 * Records routed while it runs are not sent live: they are in the window, and it collects them after what it has,
 * so order holds; if the window evicts them first, it reads them from the log. Each replayed frame carries the
 * cursor just past it, so a device cut off mid-replay resumes exactly there.
 */
public final class CatchUp {

    public enum State { FROM_WINDOW, FROM_LOG, AWAITING_LOG_END, LIVE, ENDED }

    /** What a catch-up needs from around it. Every call is made under the router's lock. */
    public interface Host {
        ReplayWindow window();

        /** The offset after the last record of {@code slot} the pod has routed: what the log holds for sure. */
        long routedTo(int slot);

        /** Sends a replayed record to the session, stamped with the catch-up's {@link #cursorPositions()}. */
        void send(CatchUp catchUp, WindowEntry entry);

        /**
         * Reads {@code [from, until)} of each slot of {@code from} from the log, and later calls {@link #logRead}
         * under the lock (once, unless the catch-up ended meanwhile).
         */
        void readLog(CatchUp catchUp, Offsets from, Offsets until);

        /** Calls {@link #proceed} under the lock once the session's socket holds at most {@code bytes}. */
        boolean whenDrained(CatchUp catchUp, long bytes);

        /** Caught up: PENDING_CHECK_COMPLETE, and the session goes live. */
        void caughtUp(CatchUp catchUp);

        /** The gap cannot be filled: RESYNC_REQUIRED, and the session goes live. */
        void resync(CatchUp catchUp, String reason);
    }

    /** What a log read gave: its records (the session's, in order per slot), and how far it read per slot. */
    public record LogBatch(List<WindowEntry> entries, Offsets reached, Runnable release) {
    }

    public static final String OLDER_THAN_RETENTION = "the cursor is older than the event log's retention";
    public static final String LOG_UNREADABLE = "the event log could not be read";

    private final DeviceSession session;
    private final Host host;
    /** A batch stops once this much waits in the session's socket; the next starts at half of it. */
    private final long batchBytes;
    /** Per slot, the offset after the last record sent or passed over: where the session stands. */
    private final Offsets progress;
    /** Per slot, where GET_PENDING's replay stops (what the session got live from there); none for other replays. */
    private final Offsets until;
    /**
     * Organizations replayed from further back than {@link #progress} (SUBSCRIBE after a resume): per org and
     * slot, the offset after the last of its records sent. Below progress, only that org's records are sent.
     */
    private final Map<String, Offsets> orgProgress = new HashMap<>();
    /** Organizations added while a log read was under way: that read's reach says nothing of their records. */
    private final java.util.Set<String> joinedDuringRead = new java.util.HashSet<>();
    private State state = State.FROM_WINDOW;
    /** A resume's: it completes only once the pod has read the log as it stood at attach. */
    private final boolean resume;
    private boolean awaitingLogEnd;
    /** Window positions collected and not sent yet, oldest first. */
    private final TreeSet<Long> positions = new TreeSet<>();
    /** Every window position up to here has been collected (or was not this session's). */
    private long collectedUpTo = -1;
    /** Records read from the log, not sent yet, and where that read got to. */
    private final ArrayDeque<WindowEntry> logEntries = new ArrayDeque<>();
    private Offsets logReached = Offsets.none();
    private Runnable logRelease;
    private int sent;
    private int logReads;
    private final long startedNanos = System.nanoTime();

    /**
     * @param from  per slot, where the replay starts (the cursor); the session's other slots start where it stands
     * @param until per slot, where it stops (GET_PENDING), or none
     * @param awaitLogEnd whether it completes only once {@link #logEndReached} was called (a resume)
     */
    public CatchUp(DeviceSession session, Host host, long batchBytes, Offsets from, Offsets until, boolean awaitLogEnd) {
        this.session = session;
        this.host = host;
        this.batchBytes = batchBytes;
        this.progress = from.copy();
        this.until = until.copy();
        this.resume = awaitLogEnd;
        this.awaitingLogEnd = awaitLogEnd;
    }

    /** Whether it waited for the pod to read the log to its end (a resume). */
    public boolean awaitedLogEnd() {
        return resume;
    }

    public DeviceSession session() {
        return session;
    }

    public State state() {
        return state;
    }

    /** Records sent so far (PENDING_CHECK_COMPLETE's {@code delivered}). */
    public int sent() {
        return sent;
    }

    /** Log reads this replay needed. */
    public int logReads() {
        return logReads;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /**
     * Where the session stands for its cursor: per slot the replay's progress, lowered to an organization's
     * where one is replayed from further back, so a device cut off now loses nothing (it may see a record twice).
     * Not to be changed by the caller.
     */
    public Offsets cursorPositions() {
        if (orgProgress.isEmpty()) {
            return progress; // read for every replayed frame: no copy (callers only read it)
        }
        Offsets at = progress.copy();
        orgProgress.values().forEach(org -> org.forEach((slot, offset) -> {
            if (offset < at.get(slot)) {
                at.put(slot, offset);
            }
        }));
        return at;
    }

    public void start() {
        proceed();
    }

    /**
     * Adds an organization's slots (SUBSCRIBE): its records from {@code from} on are replayed too. Slots the
     * replay does not cover yet start at {@code now} (what the session has been routed) for everything else.
     */
    public void addOrg(String orgId, Offsets from, Offsets now) {
        now.forEach(progress::putIfAbsent);
        Offsets org = Offsets.none();
        from.forEach((slot, offset) -> {
            if (offset < progress.get(slot)) {
                org.put(slot, offset);
            }
        });
        if (!org.isEmpty()) {
            orgProgress.put(orgId, org);
            if (state == State.FROM_LOG) {
                joinedDuringRead.add(orgId); // the read under way was not looking for its records
            }
            // Collect again from the lowest position: what is queued is found again, in order.
            positions.clear();
            collectedUpTo = -1;
        }
    }

    /** The pod has read the log as it stood when the session resumed. */
    public void logEndReached() {
        awaitingLogEnd = false;
        if (state == State.AWAITING_LOG_END) {
            state = State.FROM_WINDOW;
            proceed();
        }
    }

    /** A log read's answer. */
    public void logRead(LogBatch batch, String failure) {
        if (state != State.FROM_LOG) {
            if (batch != null) {
                batch.release().run();
            }
            return;
        }
        if (failure != null) {
            end();
            host.resync(this, failure);
            return;
        }
        logEntries.addAll(batch.entries());
        logReached = batch.reached();
        logRelease = batch.release();
        state = State.FROM_WINDOW;
        proceed();
    }

    /** The session closed or the catch-up is given up: frees what it holds. */
    public void end() {
        state = State.ENDED;
        releaseLog();
    }

    /**
     * Sends the next batch; runs again when the socket has drained. The window changes only while records are
     * routed, under the same lock as this call, so whether the replay must read the log is asked once per call
     * (and after a log read's records were sent), not per record.
     */
    public void proceed() {
        if (state != State.FROM_WINDOW || (logRelease == null && readLogBelowWindow())) {
            return;
        }
        while (!session.closing()) {
            while (session.outbound().pending() < batchBytes) {
                if (!logEntries.isEmpty()) {
                    offer(logEntries.poll());
                    continue;
                }
                if (logRelease != null) {
                    // The read's records are all sent: the session stands where the read got to.
                    logReached.forEach((slot, reached) -> {
                        if (reached > progress.get(slot)) {
                            progress.put(slot, reached);
                        }
                    });
                    orgProgress.forEach((orgId, org) -> logReached.forEach((slot, reached) -> {
                        if (!joinedDuringRead.contains(orgId) && org.has(slot) && reached > org.get(slot)) {
                            org.put(slot, reached);
                        }
                    }));
                    joinedDuringRead.clear();
                    releaseLog();
                    if (readLogBelowWindow()) {
                        return;
                    }
                }
                Long position = positions.pollFirst();
                if (position == null) {
                    ReplayWindow window = host.window();
                    List<Long> arrived = window.positions(session.userId(), session.subscribedOrgs(), lowest(),
                            until, collectedUpTo);
                    collectedUpTo = window.nextPosition() - 1;
                    if (arrived.isEmpty()) {
                        finishOrWait();
                        return;
                    }
                    positions.addAll(arrived);
                    continue;
                }
                WindowEntry entry = host.window().entryAt(position);
                if (entry != null) {
                    offer(entry); // one evicted before this call is read from the log: the check above found it
                }
            }
            if (host.whenDrained(this, batchBytes / 2)) {
                return;
            }
        }
        end();
    }

    private void finishOrWait() {
        if (awaitingLogEnd) {
            state = State.AWAITING_LOG_END;
            return;
        }
        state = State.LIVE;
        host.caughtUp(this);
    }

    /** Sends the entry when this replay wants it, and moves the session's position past it. */
    private void offer(WindowEntry entry) {
        int slot = entry.slot();
        long at = progress.get(slot);
        if (at < 0 || (until.has(slot) && entry.offset() >= until.get(slot))) {
            return;
        }
        boolean wanted;
        if (entry.offset() >= at) {
            progress.put(slot, entry.offset() + 1);
            wanted = true;
        } else {
            Offsets org = entry.scope() == Scope.ORG ? orgProgress.get(entry.key()) : null;
            wanted = org != null && org.has(slot) && entry.offset() >= org.get(slot);
        }
        if (entry.scope() == Scope.ORG) {
            Offsets org = orgProgress.get(entry.key());
            if (org != null && org.has(slot) && entry.offset() >= org.get(slot)) {
                org.put(slot, entry.offset() + 1);
            }
        }
        if (wanted && DeliveryRule.replayed(session, entry) == DeliveryRule.Verdict.DELIVER) {
            host.send(this, entry);
            sent++;
        }
    }

    /**
     * Starts a log read when the window no longer holds the next offset the replay needs of some slot: from there
     * up to what the pod has routed, not only up to the window's start. In a storm a read waits its turn while the
     * window moves on, and a read that stopped at the window's start found it moved again: devices chased the window
     * from read to read and never caught up (bench deep-resume, 10,000 devices, 2026-12-07).
     *
     * @return whether a read was started (the replay waits for it)
     */
    private boolean readLogBelowWindow() {
        ReplayWindow window = host.window();
        Offsets from = Offsets.none();
        Offsets to = Offsets.none();
        lowest().forEach((slot, at) -> {
            if (at >= window.heldFrom(slot)) {
                return;
            }
            long end = Math.min(host.routedTo(slot), until.has(slot) ? until.get(slot) : Long.MAX_VALUE);
            if (at < end) {
                from.put(slot, at);
                to.put(slot, end);
            }
        });
        if (from.isEmpty()) {
            return false;
        }
        state = State.FROM_LOG;
        positions.clear();
        collectedUpTo = -1;
        logReads++;
        host.readLog(this, from, to);
        return true;
    }

    /** Per slot, the lowest offset any part of the replay still needs. */
    private Offsets lowest() {
        return orgProgress.isEmpty() ? progress : cursorPositions();
    }

    private void releaseLog() {
        logEntries.clear();
        logReached = Offsets.none();
        Runnable release = logRelease;
        logRelease = null;
        if (release != null) {
            release.run();
        }
    }
}
