package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * ACK: the device has processed every event up to {@code cursor}. The cluster keeps the latest one per user and
 * device, so the device can resume from it with {@code cursor=acked} after it lost its own cursor.
 *
 * @param cursor a cursor the gateway sent this device (opaque)
 */
public record Ack(
        @NotBlank @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor)
        implements Payload {
}
