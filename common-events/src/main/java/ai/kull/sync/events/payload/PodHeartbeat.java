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
 * few intervals, so a crashed pod's devices go offline within a bounded time.
 *
 * @param startedAt  epoch milliseconds the pod started; a new value means it restarted and lost its sessions
 * @param intervalMs how often this pod sends heartbeats
 */
public record PodHeartbeat(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String pod,
        @NotNull @PositiveOrZero Long startedAt,
        @NotNull @Positive Long intervalMs) implements Payload {
}
