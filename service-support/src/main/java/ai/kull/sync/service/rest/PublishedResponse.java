package ai.kull.sync.service.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.service.publish.EventPublishing;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 200 answer of a write endpoint, sent only once Kafka acknowledged every record:
 * {@code {"eventIds": [..], "replayed": false, ...}}. A retry with the same Idempotency-Key gets the same
 * event ids, {@code replayed: true} and the header {@value #REPLAYED_HEADER}.
 */
public final class PublishedResponse {

    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private PublishedResponse() {
    }

    /** @param extra service fields added to the body (e.g. a credit update's version) */
    public static Response of(EventPublishing.Result result, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventIds", result.events().stream().map(Envelope::id).toList());
        body.put("replayed", result.replayed());
        body.putAll(extra);
        Response.ResponseBuilder response = Response.ok(body, MediaType.APPLICATION_JSON_TYPE);
        if (result.replayed()) {
            response.header(REPLAYED_HEADER, "true");
        }
        return response.build();
    }
}
