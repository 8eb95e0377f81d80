package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * A user's credit balance changed (seed 001).
 *
 * @param change signed: +100 for a purchase, -10 for usage
 */
public record CreditUpdate(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId,
        @NotNull @PositiveOrZero Long newBalance,
        @NotNull Long change,
        @NotBlank @Size(max = Limits.REASON_MAX, message = Limits.SIZE_MESSAGE) String reason) implements Payload {
}
