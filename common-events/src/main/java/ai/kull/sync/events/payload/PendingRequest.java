package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * GET_PENDING (seed 004): deliver what this device missed.
 *
 * @param cursor the last cursor the device received; absent asks from the session's own position
 */
public record PendingRequest(
        @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor)
        implements Payload {
}
