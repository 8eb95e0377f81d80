package ai.kull.sync.events.publish;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The caller's idempotency key and a hash of its request, written as record headers
 * ({@link EventHeaders#IDEMPOTENCY_KEY}, {@link EventHeaders#REQUEST_HASH}) so a producer can rebuild the
 * keys it has already served from the topic itself.
 */
public record Idempotency(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String key,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE) String requestHash) {
}
