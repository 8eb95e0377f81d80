package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * PENDING_CHECK_COMPLETE (seed 004): all missed events have been sent.
 *
 * @param delivered how many missed events were sent
 * @param cursor    the position after the last of them
 */
public record PendingCheckComplete(
        @NotNull @PositiveOrZero Integer delivered,
        @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor)
        implements Payload {
}
