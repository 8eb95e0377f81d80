package ai.kull.sync.events.codec;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.Payload;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** Shared by the deserializers: the payload's class follows from the sibling {@code type}. */
final class PayloadReader {

    private PayloadReader() {
    }

    /** The message's type, failing on {@code type} when it is missing or not allowed in this message. */
    static MessageType requireType(JsonParser parser, Class<?> owner, MessageType type, boolean allowed,
                                   String notAllowedReason) throws WireMismatchException {
        if (type == null) {
            throw new WireMismatchException(parser, owner, "type", "must not be null");
        }
        if (!allowed) {
            throw new WireMismatchException(parser, owner, "type", notAllowedReason);
        }
        return type;
    }

    /** Decodes {@code node} as the payload of {@code type}; errors carry {@code field} in their path. */
    static Payload read(DeserializationContext ctxt, MessageType type, JsonNode node, Class<?> owner, String field)
            throws IOException {
        try {
            return ctxt.readTreeAsValue(node, type.payloadClass().orElseThrow());
        } catch (DatabindException e) {
            e.prependPath(owner, field);
            throw e;
        }
    }

    static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }
}
