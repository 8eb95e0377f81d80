package ai.kull.sync.gateway.admin;

import ai.kull.sync.gateway.routing.DeliveryTrace;

import java.util.List;

/**
 * The admin API's answers (docs/admin-api.md), kept apart from the internal types they are made from. Ids, times
 * (epoch ms) and counts only: no address, header, token or payload has a field here to land in.
 */
public final class AdminViews {

    private AdminViews() {
    }

    public record ReplayWindowView(long records, long bytes, long oldestAgeSeconds) {
    }

    public record PodView(String podId, String version, long startedAt, long uptimeSeconds, boolean draining,
                          int sessions, ReplayWindowView replayWindow, long consumerLag, long deliveriesTotal,
                          long lastHeartbeatAt) {
    }

    public record Pods(List<PodView> pods) {
    }

    /**
     * @param endpoint    the WebSocket path the session connected to, without its query (which may hold a token)
     * @param ackedCursor the device's acknowledged cursor (ACK), null when none is kept; {@code ackedAt} when it came
     */
    public record SessionView(String podId, String sessionId, String deviceId, String platform, String endpoint,
                              long connectedAt, boolean resumed, String cursor, long pendingBytes, int rateLimitHits,
                              long lastFrameInAt, long lastFrameOutAt, String ackedCursor, Long ackedAt) {
    }

    /** A device of the user with an acknowledged cursor, connected or not. */
    public record AckedDeviceView(String deviceId, String ackedCursor, long ackedAt) {
    }

    public record ClosedView(String podId, String userId, String sessionId, String deviceId, String platform,
                             long connectedAt, long closedAt, int code, String reason) {
    }

    /** One pod's part of a user's answer. */
    public record UserOnPod(List<SessionView> sessions, List<ClosedView> recentlyClosed) {
    }

    /** @param devices every device of the user with an acknowledged cursor (every pod holds them all) */
    public record User(String userId, boolean partial, List<String> podsAsked, List<String> podsAnswered,
                       List<SessionView> sessions, List<ClosedView> recentlyClosed, List<AckedDeviceView> devices) {
    }

    public record Closed(String podId, List<ClosedView> closed) {
    }

    /** Body of a trace request; both optional, capped by configuration. */
    public record TraceRequest(Integer seconds, Integer maxEntries) {
    }

    public record TraceStarted(String userId, long expiresAt, int maxEntries, boolean partial, List<String> podsAsked,
                               List<String> podsAnswered) {
    }

    /**
     * @param acknowledged DELIVERED entries only: whether every device it was delivered to has acknowledged a cursor
     *                     past it (null for other outcomes)
     */
    public record TraceEntryView(String podId, String eventId, String type, String topic, int partition, long offset,
                                 String cursor, long recordTimestamp, long routedAt, DeliveryTrace.Outcome outcome,
                                 List<String> sessionIds, Boolean acknowledged) {
    }

    /** One pod's part of a trace: null fields when the pod has no trace of the user. */
    public record TraceOnPod(Boolean active, Long expiresAt, List<TraceEntryView> entries) {
    }

    public record Trace(String userId, boolean active, Long expiresAt, boolean partial, List<String> podsAsked,
                        List<String> podsAnswered, List<TraceEntryView> entries) {
    }

    public record EventOnPod(String podId, int sessionsReached) {
    }

    /** One pod's find: null when the event is not in its window. */
    public record EventFound(String topic, int partition, long offset, String type, String userId,
                             long recordTimestamp, int sessionsReached) {
    }

    public record Event(String eventId, boolean found, String topic, Integer partition, Long offset, String type,
                        String userId, Long recordTimestamp, boolean partial, List<String> podsAsked,
                        List<String> podsAnswered, List<EventOnPod> pods) {
    }

    /** Body of a disconnect request. */
    public record DisconnectRequest(Integer code) {
    }

    public record ActionDone(String userId, String action, int sessionsAffected, boolean partial,
                             List<String> podsAsked, List<String> podsAnswered) {
    }

    /** One pod's part of a write action. */
    public record Affected(int sessions) {
    }
}
