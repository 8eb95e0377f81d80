package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * First frame of every session (seed 004).
 *
 * @param heartbeatIntervalMs how often the client should PING
 * @param resumed             whether the session continued from the client's cursor without loss
 * @param cursor              the current resume position, to send back in GET_PENDING after a reconnect
 */
public record ConnectionEstablished(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String connectionId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String deviceId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String pod,
        @NotNull @Positive Long heartbeatIntervalMs,
        @NotNull Boolean resumed,
        @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor)
        implements Payload {
}
