package ai.kull.sync.events.codec;

import ai.kull.sync.events.ClientMessage;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.TypeFitsMessageValidator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;

/**
 * Reads a {@link ClientMessage}: {@code payload}, or its alias {@code data}, decodes into the payload class
 * of {@code type}; an absent payload reads as an empty object; {@code id} is kept as sent (validated after).
 */
public final class ClientMessageDeserializer extends StdDeserializer<ClientMessage> {

    /** The frame's fields with the payload kept as a tree until the type is known. */
    record Fields(MessageType type, String id, JsonNode payload, JsonNode data) {
    }

    public ClientMessageDeserializer() {
        super(ClientMessage.class);
    }

    @Override
    public ClientMessage deserialize(JsonParser parser, DeserializationContext ctxt) throws IOException {
        Fields f = ctxt.readValue(parser, Fields.class);
        MessageType type = PayloadReader.requireType(parser, ClientMessage.class, f.type(),
                f.type() != null && f.type().allowedInClientMessage(),
                TypeFitsMessageValidator.NOT_IN_CLIENT_MESSAGE);
        JsonNode node = PayloadReader.isAbsent(f.payload()) ? f.data() : f.payload();
        if (PayloadReader.isAbsent(node)) {
            node = JsonNodeFactory.instance.objectNode();
        }
        // Errors name the field "payload" even when the alias was sent, as validation errors do.
        return new ClientMessage(type, f.id(), PayloadReader.read(ctxt, type, node, ClientMessage.class, "payload"));
    }
}
