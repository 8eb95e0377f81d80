package ai.kull.sync.events.codec;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.TypeFitsMessageValidator;
import ai.kull.sync.events.payload.Payload;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;

/** Reads an {@link Envelope}, decoding {@code data} into the payload class its {@code type} names. */
public final class EnvelopeDeserializer extends StdDeserializer<Envelope> {

    /**
     * The envelope's fields with {@code data} kept as a tree until the type is known; a missing timestamp
     * (seed 002's example has none) reads as 0.
     */
    record Fields(String id, MessageType type, JsonNode data, Long timestamp, String userId, String deviceId,
                  String cursor) {
    }

    public EnvelopeDeserializer() {
        super(Envelope.class);
    }

    @Override
    public Envelope deserialize(JsonParser parser, DeserializationContext ctxt) throws IOException {
        Fields f = ctxt.readValue(parser, Fields.class);
        MessageType type = PayloadReader.requireType(parser, Envelope.class, f.type(),
                f.type() != null && f.type().allowedInEnvelope(), TypeFitsMessageValidator.NOT_IN_ENVELOPE);
        Payload data = PayloadReader.isAbsent(f.data())
                ? null
                : PayloadReader.read(ctxt, type, f.data(), Envelope.class, "data");
        return new Envelope(f.id(), type, data, f.timestamp() == null ? 0 : f.timestamp(), f.userId(), f.deviceId(), f.cursor());
    }
}
