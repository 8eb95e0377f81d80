package ai.kull.sync.events.schema;

import ai.kull.sync.events.MessageType;

import java.util.ArrayList;
import java.util.List;

/**
 * One message as it appears on the wire: a type in one of its three shapes. Names the schema file and
 * the AsyncAPI message; a type both sides send (PING, PONG) has an envelope form and a client form.
 */
record WireMessage(MessageType type, Shape shape) {

    enum Shape { ENVELOPE, CLIENT_MESSAGE, ORG_EVENT }

    static List<WireMessage> all() {
        List<WireMessage> messages = new ArrayList<>();
        for (MessageType type : MessageType.values()) {
            if (type.isOrgSyncEvent()) {
                messages.add(new WireMessage(type, Shape.ORG_EVENT));
            }
            if (type.allowedInEnvelope()) {
                messages.add(new WireMessage(type, Shape.ENVELOPE));
            }
            if (type.allowedInClientMessage()) {
                messages.add(new WireMessage(type, Shape.CLIENT_MESSAGE));
            }
        }
        return messages;
    }

    /** The type's name, suffixed {@code .client} for the client form of a type the server sends too. */
    String name() {
        return shape == Shape.CLIENT_MESSAGE && type.allowedInEnvelope() ? type.name() + ".client" : type.name();
    }

    String schemaFile() {
        return name() + ".json";
    }
}
