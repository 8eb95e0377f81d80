package ai.kull.sync.gateway.routing;

import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.session.DeviceSession;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivery traces of single users, time-boxed and capped: for each of the user's records this pod routes, what
 * happened to it here. Metadata only (ids, positions, times, session ids), never a payload. A trace stops
 * recording at its end and is dropped {@code gateway.admin.trace-retention} later, by itself.
 * <p>
 * While no trace runs, routing pays one volatile read per record ({@link #forRecord}).
 */
@Singleton
public class DeliveryTrace {

    /** What happened to one record for one or more sessions of this pod. */
    public enum Outcome {
        DELIVERED,
        SKIPPED_TARGET_DEVICE,
        SKIPPED_ORIGIN,
        /** Not queued: the session was over its outbound bound (it is closed with 4002 and resumes). */
        DROPPED_OVER_BOUND,
        /** No session of the user on this pod. */
        NO_SESSION,
        /** The session had seen it before it resumed here (its cursor lies past the record). */
        SKIPPED_SEEN_BEFORE,
        /** An admin-only type, and the session's token has no admin role. */
        SKIPPED_NOT_ADMIN,
        /** The session is still receiving its replay: the record is sent from the window after it, in order. */
        QUEUED_BEHIND_REPLAY
    }

    /** One line of a trace. {@code cursor} is the position just past the record (delivered entries only). */
    public record Entry(String eventId, String type, String topic, int partition, long offset, String cursor,
                        long recordTimestamp, long routedAt, Outcome outcome, List<String> sessionIds) {
    }

    /** A trace as read: whether it still records, until when, and its entries in routing order. */
    public record Snapshot(boolean active, long expiresAt, List<Entry> entries) {
    }

    private static final class Trace {
        final long expiresAt;
        final int maxEntries;
        final List<Entry> entries = new ArrayList<>();

        Trace(long expiresAt, int maxEntries) {
            this.expiresAt = expiresAt;
            this.maxEntries = maxEntries;
        }
    }

    private final ConcurrentHashMap<String, Trace> byUser = new ConcurrentHashMap<>();
    private final long retentionMillis;
    private volatile boolean any;

    public DeliveryTrace(GatewayConfig config) {
        this.retentionMillis = config.admin().traceRetention().toMillis();
    }

    /** Starts (or restarts, emptied) tracing {@code userId} until {@code expiresAt}, keeping at most {@code maxEntries}. */
    public void start(String userId, long expiresAt, int maxEntries) {
        byUser.put(userId, new Trace(expiresAt, maxEntries));
        any = true;
    }

    /** The user's trace on this pod, or null when none ran within the retention. */
    public Snapshot read(String userId, long now) {
        Trace trace = byUser.get(userId);
        if (trace == null || now > trace.expiresAt + retentionMillis) {
            return null;
        }
        synchronized (trace) {
            return new Snapshot(now < trace.expiresAt, trace.expiresAt, List.copyOf(trace.entries));
        }
    }

    @Scheduled(every = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dropExpired() {
        long now = System.currentTimeMillis();
        byUser.values().removeIf(trace -> now > trace.expiresAt + retentionMillis);
        any = !byUser.isEmpty();
    }

    /** The recorder for a record keyed by {@code userId}, or null (the common case) when nobody traces that user. */
    Recorder forRecord(String userId, long now) {
        if (!any || userId == null) {
            return null;
        }
        Trace trace = byUser.get(userId);
        return trace == null || now >= trace.expiresAt ? null : new Recorder(trace, now);
    }

    /** Collects one record's outcomes per session, then writes them as entries (one per outcome). */
    static final class Recorder {
        private final Trace trace;
        private final long routedAt;
        private final Map<Outcome, List<String>> sessions = new EnumMap<>(Outcome.class);

        private Recorder(Trace trace, long routedAt) {
            this.trace = trace;
            this.routedAt = routedAt;
        }

        void outcome(Outcome outcome, DeviceSession session) {
            sessions.computeIfAbsent(outcome, o -> new ArrayList<>()).add(session.connection().id());
        }

        void finish(String eventId, String type, String topic, int partition, long offset, long timestamp,
                    String cursor) {
            if (sessions.isEmpty()) {
                sessions.put(Outcome.NO_SESSION, List.of());
            }
            synchronized (trace) {
                sessions.forEach((outcome, ids) -> {
                    if (trace.entries.size() < trace.maxEntries) {
                        trace.entries.add(new Entry(eventId, type, topic, partition, offset,
                                outcome == Outcome.DELIVERED ? cursor : null, timestamp, routedAt, outcome,
                                List.copyOf(ids)));
                    }
                });
            }
        }
    }
}
