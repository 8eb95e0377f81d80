package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.Map;

/**
 * An admin session changed. Seed 002 names only the message type and an AdminAction enum; the fields
 * here are our definition.
 *
 * @param details free-form extra facts for the admin UI
 */
public record AdminSessionUpdate(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String sessionId,
        @NotNull AdminAction action,
        @Size(max = Limits.MESSAGE_MAX, message = Limits.SIZE_MESSAGE) String message,
        @Size(max = Limits.COLLECTION_MAX, message = Limits.COLLECTION_SIZE_MESSAGE) Map<String, Object> details)
        implements Payload {
}
