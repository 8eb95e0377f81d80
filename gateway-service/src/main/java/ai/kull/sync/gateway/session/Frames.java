package ai.kull.sync.gateway.session;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.payload.Payload;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import jakarta.inject.Singleton;

import java.util.UUID;

/** Encodes the frames the gateway itself writes (answers, control messages) for one device. */
@Singleton
public class Frames {

    private final EventCodec codec = new EventCodec();

    public String of(MessageType type, DeviceIdentity identity, Payload payload) {
        return of(type, identity, payload, null);
    }

    /** @param cursor the session's resume position, or null */
    public String of(MessageType type, DeviceIdentity identity, Payload payload, String cursor) {
        return codec.encodeToString(new Envelope(UUID.randomUUID().toString(), type, payload,
                System.currentTimeMillis(), identity.userId(), identity.deviceId(), cursor));
    }

    /**
     * A delivered record's JSON with the session's cursor added as the envelope's last field: spliced in
     * before the closing brace instead of decoding and re-encoding the event.
     */
    public static String withCursor(String envelopeJson, String cursor) {
        int close = envelopeJson.lastIndexOf('}');
        return new StringBuilder(envelopeJson.length() + cursor.length() + 12)
                .append(envelopeJson, 0, close).append(",\"cursor\":\"").append(cursor).append("\"}").toString();
    }
}
