package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The headers routing depends on, read in one pass into this holder, which {@link EventRouter#route} reuses: every
 * record of every partition passes through here, most of them for no session of this pod, and looking
 * each header up by name scanned them all four times. As with {@link EventHeaders#read}, the last header
 * of a name wins. The scope is matched on its bytes, and a known event type is kept as its constant's
 * name, so the replay window does not hold a copy of it per event.
 */
final class RoutingHeaders {

    private static final Map<String, String> KNOWN_TYPES = Arrays.stream(MessageType.values())
            .collect(Collectors.toUnmodifiableMap(MessageType::name, MessageType::name));

    private static final byte[] POD_SCOPE = GatewayProducer.POD_SCOPE.getBytes(StandardCharsets.UTF_8);

    byte[] scope;
    String type;
    String targetDevice;
    String originDevice;
    /** W3C trace context of the publisher, or null: only read on when OpenTelemetry is on. */
    String traceparent;
    /** Consecutive records mostly share a type: its name is reused rather than decoded again. */
    private byte[] lastTypeBytes;
    private String lastType;

    void read(Headers headers) {
        scope = null;
        byte[] typeBytes = null;
        targetDevice = null;
        originDevice = null;
        traceparent = null;
        for (Header header : headers) {
            // equals, not a switch: the names differ in length, so most comparisons end there, unhashed
            String name = header.key();
            if (name.equals(EventHeaders.SCOPE)) {
                scope = header.value();
            } else if (name.equals(EventHeaders.EVENT_TYPE)) {
                typeBytes = header.value();
            } else if (name.equals(EventHeaders.TARGET_DEVICE)) {
                targetDevice = text(header);
            } else if (name.equals(EventHeaders.ORIGIN_DEVICE)) {
                originDevice = text(header);
            } else if (name.equals(EventHeaders.TRACEPARENT)) {
                traceparent = text(header);
            }
        }
        type = typeName(typeBytes);
    }

    /** Whether the scope is the gateways' own (pod heartbeats): such a record is never delivered or kept. */
    boolean podScope() {
        return Arrays.equals(scope, POD_SCOPE);
    }

    private String typeName(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (!Arrays.equals(bytes, lastTypeBytes)) {
            String decoded = new String(bytes, StandardCharsets.UTF_8);
            lastType = KNOWN_TYPES.getOrDefault(decoded, decoded);
            lastTypeBytes = bytes;
        }
        return lastType;
    }

    private static String text(Header header) {
        return header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
