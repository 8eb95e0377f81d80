package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * RESYNC_REQUIRED: the device's cursor is outside the recovery window, so missed events cannot be replayed;
 * it must refetch state from the domain services and continue from {@code cursor}.
 *
 * @param cursor the position to continue from after refetching
 */
public record ResyncRequired(
        @NotBlank @Size(max = Limits.REASON_MAX, message = Limits.SIZE_MESSAGE) String reason,
        @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor)
        implements Payload {
}
