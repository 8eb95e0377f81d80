package ai.kull.sync.events;

import ai.kull.sync.events.codec.ClientMessageDeserializer;
import ai.kull.sync.events.payload.Payload;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A frame a device sends, in the seed clients' shape {@code {"type":"UPDATE_PROGRESS","payload":{..}}}.
 * {@code data} is accepted as an alias of {@code payload}, and a frame without one (seed clients send
 * a bare {@code {"type":"PING"}}) decodes as if it had an empty object, so the payload's own rules
 * decide whether anything was required.
 * <p>
 * {@code id} (optional, 1-64 of {@code [A-Za-z0-9._:-]}) is the device's own key for the message: the gateway
 * answers RECEIVED once the message is durable and applies a retried id only once.
 */
@TypeFitsMessage
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "id", "payload"})
@JsonDeserialize(using = ClientMessageDeserializer.class)
public record ClientMessage(
        @NotNull MessageType type,
        @Size(min = 1, max = Limits.CLIENT_ID_MAX, message = "must be 1 to {max} characters")
        @Pattern(regexp = Limits.CLIENT_ID_PATTERN, message = Limits.CLIENT_ID_PATTERN_MESSAGE) String id,
        @NotNull @Valid Payload payload) {

    /** A message without an id. */
    public ClientMessage(MessageType type, Payload payload) {
        this(type, null, payload);
    }
}
