package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
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
 * <p>
 * Header names are compared as the bytes the record arrived with: Kafka's {@code Header.key()} decodes a
 * String per header per record (15% of the routing thread on a pod reading records for nobody). Kafka keeps
 * those bytes in a private field, read here through a VarHandle; once a name has been decoded, or should a
 * Kafka upgrade rename the field, the name is compared as text ({@code RoutingHeadersTest} fails then).
 */
final class RoutingHeaders {

    private static final Map<String, String> KNOWN_TYPES = Arrays.stream(MessageType.values())
            .collect(Collectors.toUnmodifiableMap(MessageType::name, MessageType::name));

    private static final byte[] POD_SCOPE = GatewayProducer.POD_SCOPE.getBytes(StandardCharsets.UTF_8);
    /** The names looked for, in order; the last constant is OTHER. */
    private static final Name[] READ = Arrays.copyOf(Name.values(), Name.values().length - 1);
    private static final VarHandle RAW_NAME = findRawName();

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
            switch (nameOf(header)) {
                case SCOPE -> scope = header.value();
                case EVENT_TYPE -> typeBytes = header.value();
                case TARGET_DEVICE -> targetDevice = text(header);
                case ORIGIN_DEVICE -> originDevice = text(header);
                case TRACEPARENT -> traceparent = text(header);
                case OTHER -> { }
            }
        }
        type = typeName(typeBytes);
    }

    /** The headers routing reads; every other name is {@code OTHER}. */
    enum Name {
        SCOPE(EventHeaders.SCOPE), EVENT_TYPE(EventHeaders.EVENT_TYPE), TARGET_DEVICE(EventHeaders.TARGET_DEVICE),
        ORIGIN_DEVICE(EventHeaders.ORIGIN_DEVICE), TRACEPARENT(EventHeaders.TRACEPARENT), OTHER("");

        final String text;
        final ByteBuffer bytes;

        Name(String text) {
            this.text = text;
            this.bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        }
    }

    static Name nameOf(Header header) {
        ByteBuffer raw = rawName(header);
        for (Name name : READ) {
            // equals compares the bytes left to read (neither position moves); lengths differ, so most end there
            if (raw != null ? raw.equals(name.bytes) : header.key().equals(name.text)) {
                return name;
            }
        }
        return Name.OTHER;
    }

    /** The name's undecoded bytes, or null when Kafka decoded it already (or no longer keeps them). */
    static ByteBuffer rawName(Header header) {
        if (RAW_NAME == null || header.getClass() != RecordHeader.class) {
            return null;
        }
        return (ByteBuffer) RAW_NAME.get(header);
    }

    private static VarHandle findRawName() {
        try {
            return MethodHandles.privateLookupIn(RecordHeader.class, MethodHandles.lookup())
                    .findVarHandle(RecordHeader.class, "keyBuffer", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
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
