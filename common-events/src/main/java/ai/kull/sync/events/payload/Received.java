package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * RECEIVED: the client message with this {@code id} is durable.
 *
 * @param id        the client message's own id
 * @param duplicate true when the same device had already sent that id and it was stored: nothing was applied again
 */
public record Received(
        @NotBlank @Size(max = Limits.CLIENT_ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CLIENT_ID_PATTERN, message = Limits.CLIENT_ID_PATTERN_MESSAGE) String id,
        boolean duplicate) implements Payload {
}
