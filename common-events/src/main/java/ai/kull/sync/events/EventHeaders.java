package ai.kull.sync.events;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * Kafka record header names. Headers carry the routing facts a gateway needs so it can deliver a record
 * without parsing its value; all values are UTF-8 strings.
 */
public final class EventHeaders {

    /** The envelope id (a UUID): consumers deduplicate on it. */
    public static final String EVENT_ID = "sync-event-id";
    /** The {@link MessageType} name. */
    public static final String EVENT_TYPE = "sync-event-type";
    /** A {@link Scope} header value; absent means {@code user}. */
    public static final String SCOPE = "sync-scope";
    /** Deliver only to this device of the user. */
    public static final String TARGET_DEVICE = "sync-target-device";
    /** Deliver to every device of the user except this one (it caused the event). */
    public static final String ORIGIN_DEVICE = "sync-origin-device";
    /** The organization of an org-scoped record. */
    public static final String ORG = "sync-org";
    /**
     * The caller's Idempotency-Key of the request that produced this record. Domain services rebuild their
     * seen-keys map from it on start, so a retry after a restart still publishes nothing new.
     */
    public static final String IDEMPOTENCY_KEY = "sync-idempotency-key";
    /** Hash of the request that carried {@link #IDEMPOTENCY_KEY}, to tell a retry from a reused key. */
    public static final String REQUEST_HASH = "sync-request-hash";
    /** W3C trace context, so a trace continues from the producing service into the gateway. */
    public static final String TRACEPARENT = "traceparent";

    private EventHeaders() {
    }

    /** The last value of header {@code name} as a string, or null when absent. */
    public static String read(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Adds header {@code name} encoded as UTF-8. */
    public static void write(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
