package ai.kull.sync.events;

import ai.kull.sync.events.codec.ClientMessageDeserializer;
import ai.kull.sync.events.payload.Payload;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * A frame a device sends, in the seed clients' shape {@code {"type":"UPDATE_PROGRESS","payload":{..}}}.
 * {@code data} is accepted as an alias of {@code payload}, and a frame without one (seed clients send
 * a bare {@code {"type":"PING"}}) decodes as if it had an empty object, so the payload's own rules
 * decide whether anything was required.
 */
@TypeFitsMessage
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "payload"})
@JsonDeserialize(using = ClientMessageDeserializer.class)
public record ClientMessage(@NotNull MessageType type, @NotNull @Valid Payload payload) {
}
