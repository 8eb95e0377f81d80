package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * A marketplace prompt changed (seed 001).
 *
 * @param userIds the users to notify, when the change concerns only them; absent means everyone
 */
public record PromptChange(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String promptId,
        @NotNull PromptAction action,
        @Size(max = Limits.COLLECTION_MAX, message = Limits.COLLECTION_SIZE_MESSAGE)
        List<@NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
                @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String> userIds)
        implements Payload {
}
