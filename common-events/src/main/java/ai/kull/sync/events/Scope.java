package ai.kull.sync.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How a gateway routes a Kafka record, carried in the {@link EventHeaders#SCOPE} header, together with
 * what the record key is for that scope. The key is chosen so that Kafka's per-partition order is the
 * order a recipient needs, and so that a gateway can route on key and headers without parsing the value.
 * <p>
 * These are the scopes a publisher may give a record. The gateways' own heartbeats on the presence topic carry
 * a further value, {@code pod}, which is theirs alone (the gateway's {@code GatewayProducer}) and not published
 * through this contract.
 */
public enum Scope {
    /** Key = userId. Delivered to that user's sessions, narrowed by the target/origin device headers. The default. */
    USER("user"),
    /** Key = orgId. Delivered to sessions subscribed to that organization. */
    ORG("org"),
    /** Key = the aggregate id (e.g. promptId), so one aggregate's events stay ordered. Delivered to every session. */
    BROADCAST("broadcast");

    /** values() copies its array on every call, and a gateway asks once per record. */
    private static final Scope[] ALL = values();

    private final String headerValue;
    private final byte[] headerBytes;

    Scope(String headerValue) {
        this.headerValue = headerValue;
        this.headerBytes = headerValue.getBytes(StandardCharsets.UTF_8);
    }

    public String headerValue() {
        return headerValue;
    }

    /**
     * The scope named by a header value; {@link #USER} when the header is absent. An unknown value fails,
     * so a gateway never guesses recipients for a record it does not understand.
     */
    public static Scope fromHeader(String value) {
        return fromHeader(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The same from the header's bytes, as a gateway reads them for every record, without decoding them. */
    public static Scope fromHeader(byte[] value) {
        if (value == null) {
            return USER;
        }
        for (Scope scope : ALL) {
            if (Arrays.equals(scope.headerBytes, value)) {
                return scope;
            }
        }
        throw new IllegalArgumentException("unknown " + EventHeaders.SCOPE + " '"
                + new String(value, StandardCharsets.UTF_8) + "'");
    }
}
