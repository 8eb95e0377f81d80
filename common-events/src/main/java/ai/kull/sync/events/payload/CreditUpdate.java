package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * A user's credit balance changed (seed 001).
 *
 * @param change  signed: +100 for a purchase, -10 for usage
 * @param version position of this balance in the user's balance history, increasing per user; a device
 *                ignores an update whose version is not above the last one it applied. Optional on the
 *                wire: producers older than this field omit it.
 */
public record CreditUpdate(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId,
        @NotNull @PositiveOrZero Long newBalance,
        @NotNull Long change,
        @NotBlank @Size(max = Limits.REASON_MAX, message = Limits.SIZE_MESSAGE) String reason,
        @Positive Long version) implements Payload {

    /** An update without a version, as the seeds send it. */
    public CreditUpdate(String userId, Long newBalance, Long change, String reason) {
        this(userId, newBalance, change, reason, null);
    }

    /** This update carrying {@code version}. */
    public CreditUpdate withVersion(long version) {
        return new CreditUpdate(userId, newBalance, change, reason, version);
    }
}
