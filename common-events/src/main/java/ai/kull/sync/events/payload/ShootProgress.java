package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * Progress of a shoot (SHOOT_PROGRESS from the server, UPDATE_PROGRESS from a device), field names as in
 * seeds 001 and 002. {@code progress} is derived from the counts and sent for the iOS client, which reads
 * it; a value sent by a client is ignored.
 *
 * @param eta seconds until completion; may be fractional (seed 002 sends 45.2)
 */
@ProcessedWithinTotal
@JsonIgnoreProperties(value = "progress", allowGetters = true)
@JsonPropertyOrder({"shootId", "status", "processedCount", "totalCount", "progress"})
public record ShootProgress(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String shootId,
        @NotNull ShootStatus status,
        @NotNull @PositiveOrZero Integer processedCount,
        @NotNull @PositiveOrZero Integer totalCount,
        @Size(max = Limits.NAME_MAX, message = Limits.SIZE_MESSAGE) String currentImage,
        @PositiveOrZero Double eta,
        @NotBlank @Size(max = Limits.NAME_MAX, message = Limits.SIZE_MESSAGE) String provider,
        @Size(max = Limits.MESSAGE_MAX, message = Limits.SIZE_MESSAGE) String errorMessage) implements Payload {

    /** Fraction done, 0 to 1; 0 while the total is unknown or zero. */
    @JsonProperty(value = "progress", access = JsonProperty.Access.READ_ONLY)
    public double progress() {
        if (processedCount == null || totalCount == null || totalCount <= 0) {
            return 0;
        }
        return Math.min(1.0, (double) processedCount / totalCount);
    }
}
