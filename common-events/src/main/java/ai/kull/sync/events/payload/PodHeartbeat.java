package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * A gateway pod is alive. Other pods consider its devices disconnected once no heartbeat arrived for a
 * few intervals, so a crashed pod's devices go offline within a bounded time. The figures after
 * {@code intervalMs} describe the pod for the admin API's pod list; they are optional, so pods of an
 * earlier version (which send none) still count as alive.
 *
 * @param startedAt          epoch milliseconds the pod started; a new value means it restarted and lost its sessions
 * @param intervalMs         how often this pod sends heartbeats
 * @param version            the pod's application version
 * @param draining           whether the pod is draining (SIGTERM received)
 * @param sessions           WebSocket sessions open on the pod
 * @param replayRecords      records held by the pod's replay window
 * @param replayBytes        bytes held by the pod's replay window
 * @param replayOldestAgeMs  age of the window's oldest record when the heartbeat was sent (0 when empty)
 * @param consumerLag        records of the event and presence topics not yet read, summed over partitions
 * @param deliveriesTotal    frames of events handed to sessions since the pod started
 */
public record PodHeartbeat(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String pod,
        @NotNull @PositiveOrZero Long startedAt,
        @NotNull @Positive Long intervalMs,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE) String version,
        Boolean draining,
        @PositiveOrZero Integer sessions,
        @PositiveOrZero Long replayRecords,
        @PositiveOrZero Long replayBytes,
        @PositiveOrZero Long replayOldestAgeMs,
        @PositiveOrZero Long consumerLag,
        @PositiveOrZero Long deliveriesTotal) implements Payload {

    /** A heartbeat without the pod's figures: alive, nothing more. */
    public PodHeartbeat(String pod, Long startedAt, Long intervalMs) {
        this(pod, startedAt, intervalMs, null, null, null, null, null, null, null, null);
    }
}
