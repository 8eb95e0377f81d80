package ai.kull.sync.events;

import ai.kull.sync.events.codec.EnvelopeDeserializer;
import ai.kull.sync.events.payload.Payload;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Null;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.UUID;

/**
 * A message from the server to a device, and the value of every Kafka record: the record value is
 * exactly the JSON the device receives, so a gateway forwards it without re-encoding.
 * <pre>{"id":..,"type":..,"data":{..},"timestamp":&lt;epoch ms&gt;,"userId":..,"deviceId":..,"cursor":..}</pre>
 * Null fields are omitted. {@code data} decodes into the payload class of {@code type}. The seed
 * clients' messages omit {@code id} and sometimes {@code timestamp} (read as 0), so decoding accepts
 * that; publishing requires both (see {@link Publishing}).
 *
 * @param id        unique event id (a UUID) that idempotent consumers deduplicate on
 * @param timestamp epoch milliseconds when the event happened
 * @param userId    the user the event belongs to; absent in broadcasts
 * @param deviceId  the device the event came from or is about, when there is one
 * @param cursor    resume position, set only by the gateway when delivering; last, so the gateway can
 *                  splice it in before the closing brace
 */
@TypeFitsMessage
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "type", "data", "timestamp", "userId", "deviceId", "cursor"})
@JsonDeserialize(using = EnvelopeDeserializer.class)
public record Envelope(
        @NotNull(groups = Publishing.class) @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String id,
        @NotNull MessageType type,
        @NotNull @Valid Payload data,
        @PositiveOrZero @Positive(groups = Publishing.class) long timestamp,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String deviceId,
        @Null(groups = Publishing.class, message = "must be absent: only the gateway sets it")
        @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor) {

    /** A new event with a fresh id and the current time. */
    public static Envelope of(MessageType type, Payload data, String userId, String deviceId) {
        return new Envelope(UUID.randomUUID().toString(), type, data, System.currentTimeMillis(), userId, deviceId,
                null);
    }
}
