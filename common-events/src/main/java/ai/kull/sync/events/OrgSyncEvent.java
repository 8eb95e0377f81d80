package ai.kull.sync.events;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.Map;

/**
 * An organization sync event (SYNC_*), in the flat shape of seed 003 that existing organization clients
 * parse: no envelope, ISO-8601 timestamp.
 * <pre>{"type":"SYNC_STARTED","jobId":..,"pfaId":..,"progress":45,"message":..,"data":{..},
 *  "timestamp":"2025-11-28T10:00:00Z","orgId":..}</pre>
 * The seed examples lack {@code orgId}, so decoding accepts its absence; publishing requires it
 * ({@link Publishing} group) and it must equal the record key.
 *
 * @param progress percent done, 0 to 100
 * @param data     free-form details, e.g. the conflicting field of a SYNC_CONFLICT
 */
@TypeFitsMessage
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "jobId", "pfaId", "progress", "message", "data", "timestamp", "orgId"})
public record OrgSyncEvent(
        @NotNull MessageType type,
        @NotBlank(groups = Publishing.class) @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String orgId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String jobId,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String pfaId,
        @Min(0) @Max(100) Integer progress,
        @Size(max = Limits.MESSAGE_MAX, message = Limits.SIZE_MESSAGE) String message,
        @Size(max = Limits.COLLECTION_MAX, message = Limits.COLLECTION_SIZE_MESSAGE) Map<String, Object> data,
        @NotNull @JsonFormat(shape = JsonFormat.Shape.STRING) Instant timestamp) {
}
