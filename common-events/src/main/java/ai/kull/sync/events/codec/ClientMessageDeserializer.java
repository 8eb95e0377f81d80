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

    private static final String NESTED = "payload";
    static final String NESTED_REASON = "holds only another payload: put the message's fields in payload itself";

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
        if (node.size() == 1 && node.path(NESTED).isObject()) {
            // {"type","payload":{"payload":{...}}}: a wrapper's send({type, payload}) wrapped once more. Said as such,
            // instead of listing as missing the fields the caller did send (one level down).
            throw new WireMismatchException(parser, ClientMessage.class, "payload", NESTED_REASON);
        }
        // Errors name the field "payload" even when the alias was sent, as validation errors do.
        return new ClientMessage(type, f.id(), PayloadReader.read(ctxt, type, node, ClientMessage.class, "payload"));
    }
}
