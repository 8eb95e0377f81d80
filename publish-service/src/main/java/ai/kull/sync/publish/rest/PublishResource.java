package ai.kull.sync.publish.rest;

import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.publish.config.PublishConfig;
import ai.kull.sync.publish.metrics.PublishMetrics;
import ai.kull.sync.publish.publish.RateLimits;
import ai.kull.sync.publish.publish.TeamPublishing;
import ai.kull.sync.publish.teams.Team;
import ai.kull.sync.publish.teams.Teams;
import ai.kull.sync.service.error.ApiError;
import ai.kull.sync.service.error.KafkaUnavailable;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.rest.RequestBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/sync/events} (one event) and {@code POST /api/sync/events/batch} ({@code {"events":[...]}}):
 * another team's events to a user, a device, all but one device, an organization or everyone. Checked in this
 * order, each refusal for the whole request and before anything is published: the team's key (401), the body
 * (413 over {@code sync.service.max-body-bytes}, 400 naming every bad field), the batch size and each event's data
 * size (413), the types the team owns (403), the registered schemas (400 naming the field and the rule), the team's
 * rate (429 + Retry-After), a reused idempotency key (422). 200 only once every event is durable; 503 otherwise.
 */
@Path("/api/sync/events")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@SecurityScheme(securitySchemeName = "teamKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The team's key (publish.team-keys), as Authorization: Bearer <key>")
@SecurityRequirement(name = "teamKey")
public class PublishResource {

    private final Teams teams;
    private final RequestBodies bodies;
    private final TeamPublishing publishing;
    private final RateLimits rates;
    private final PublishConfig config;
    private final PublishMetrics metrics;

    public PublishResource(Teams teams, RequestBodies bodies, TeamPublishing publishing, RateLimits rates,
                           PublishConfig config, PublishMetrics metrics) {
        this.teams = teams;
        this.bodies = bodies;
        this.publishing = publishing;
        this.rates = rates;
        this.config = config;
        this.metrics = metrics;
    }

    /** The answer to one event. */
    public record EventAnswer(String id, String type, boolean duplicate) {
    }

    /** The answer to a batch: one entry per event, in the request's order. */
    public record BatchAnswer(List<EventAnswer> events) {
    }

    @POST
    @Operation(summary = "Publish one event of a type the team owns",
            description = "Durable (acks=all) before 200. to: exactly one of userId (+ deviceId or exceptDeviceId), "
                    + "orgId, everyone: true. A retry with the same idempotencyKey publishes nothing new (duplicate: true).")
    @RequestBody(description = "{\"type\":\"NOTIFICATION_NEW\",\"to\":{\"userId\":\"user_123\"},\"data\":{...},"
            + "\"idempotencyKey\":\"n-42\"}")
    @APIResponse(responseCode = "200", description = "durable: {id, type, duplicate}")
    @APIResponse(responseCode = "400", description = "a malformed field or a schema violation, each named")
    @APIResponse(responseCode = "401", description = "no or an unknown team key")
    @APIResponse(responseCode = "403", description = "a type the team does not own")
    @APIResponse(responseCode = "413", description = "body or data too large")
    @APIResponse(responseCode = "422", description = "idempotencyKey reused for a different event")
    @APIResponse(responseCode = "429", description = "the team's rate exceeded; Retry-After")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge; Retry-After; retry with the same keys")
    public EventAnswer publishOne(byte[] body, @Context HttpHeaders headers) {
        long receivedAt = System.nanoTime();
        Team team = authenticate(headers);
        List<PublishRequest> parsed = new ArrayList<>();
        return refusalsCounted(team, parsed, () -> {
            parsed.add(bodies.read(body, PublishRequest.class));
            TeamPublishing.Accepted accepted = publish(team, parsed, "", receivedAt).get(0);
            return new EventAnswer(accepted.id(), accepted.type(), accepted.duplicate());
        });
    }

    @POST
    @Path("/batch")
    @Operation(summary = "Publish a batch of events, validated whole",
            description = "Every event is checked before any is published: one bad event refuses the batch (nothing "
                    + "published). 200 once all are durable; a 503 lists per event whether it is durable, and the same "
                    + "request retried with the same idempotency keys publishes only the rest.")
    @RequestBody(description = "{\"events\":[{\"type\":..,\"to\":{..},\"data\":{..},\"idempotencyKey\":..}, ...]}")
    @APIResponse(responseCode = "200", description = "durable: {events: [{id, type, duplicate}]} in the request's order")
    @APIResponse(responseCode = "413", description = "more than publish.max-batch-events events, or too large")
    public BatchAnswer publishBatch(byte[] body, @Context HttpHeaders headers) {
        long receivedAt = System.nanoTime();
        Team team = authenticate(headers);
        List<PublishRequest> parsed = new ArrayList<>();
        return refusalsCounted(team, parsed, () -> {
            BatchRequest batch = bodies.read(body, BatchRequest.class);
            parsed.addAll(batch.events());
            if (batch.events().size() > config.maxBatchEvents()) {
                throw new ApiError(413, "BATCH_TOO_LARGE", "a batch holds at most " + config.maxBatchEvents()
                        + " events; this one has " + batch.events().size())
                        .with("maxEvents", config.maxBatchEvents());
            }
            return new BatchAnswer(publish(team, batch.events(), "events", receivedAt).stream()
                    .map(a -> new EventAnswer(a.id(), a.type(), a.duplicate())).toList());
        });
    }

    private List<TeamPublishing.Accepted> publish(Team team, List<PublishRequest> requests, String listField,
                                                  long receivedAt) {
        List<Violation> violations = new ArrayList<>();
        List<TeamPublishing.Outgoing> outgoing = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            PublishRequest request = requests.get(i);
            String field = listField.isEmpty() ? "" : listField + "[" + i + "]";
            String at = field.isEmpty() ? "" : field + ".";
            if (!team.owns(request.type())) {
                throw new ApiError(403, "TYPE_NOT_OWNED", at + "type " + request.type() + " is not a type of team '"
                        + team.name() + "' (it owns " + team.types() + "); nothing was published")
                        .with("field", at + "type");
            }
            int dataBytes = request.data().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (dataBytes > config.maxEventBytes()) {
                throw new ApiError(413, "EVENT_TOO_LARGE", at + "data is " + dataBytes + " bytes; at most "
                        + config.maxEventBytes()).with("field", at + "data").with("maxEventBytes", config.maxEventBytes());
            }
            violations.addAll(request.to().problems(at + "to"));
            violations.addAll(team.check(request.type(), request.data(), at + "data"));
            for (int j = 0; j < i && request.idempotencyKey() != null; j++) {
                if (request.idempotencyKey().equals(requests.get(j).idempotencyKey())) {
                    violations.add(new Violation(at + "idempotencyKey", "repeats the key of " + listField + "[" + j + "]"));
                }
            }
            if (violations.isEmpty()) {
                outgoing.add(new TeamPublishing.Outgoing(field, request.type(), request.to().target(team.name()),
                        request.data(), request.idempotencyKey(), EventPublishing.hash(request.withoutKey())));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidEventException(ErrorPayload.INVALID_FIELD, violations);
        }
        rates.take(team, outgoing.size());
        return publishing.publish(team, outgoing, receivedAt);
    }

    /** 401 unless the request carries a team's key ({@code Authorization: Bearer <key>}). */
    private Team authenticate(HttpHeaders headers) {
        String authorization = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            metrics.refused(PublishMetrics.UNKNOWN_TEAM, PublishMetrics.OTHER, "UNAUTHORIZED", 1);
            throw ApiError.unauthorized("a team key is required: Authorization: Bearer <key>");
        }
        return teams.byKey(authorization.substring(7).trim()).orElseThrow(() -> {
            metrics.refused(PublishMetrics.UNKNOWN_TEAM, PublishMetrics.OTHER, "UNAUTHORIZED", 1);
            return ApiError.unauthorized("unknown team key");
        });
    }

    /**
     * Counts a refused request's events under the team and each event's type (a type the team does not own as
     * {@code other}; one event of type {@code other} when the body could not be read), then rethrows the refusal.
     */
    private <T> T refusalsCounted(Team team, List<PublishRequest> parsed, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (InvalidEventException e) {
            countRefused(team, parsed, e.errorCode());
            throw e;
        } catch (ApiError e) {
            countRefused(team, parsed, e.code());
            throw e;
        } catch (KafkaUnavailable e) {
            countRefused(team, parsed, "UNAVAILABLE");
            throw e;
        }
    }

    private void countRefused(Team team, List<PublishRequest> events, String reason) {
        if (events.isEmpty()) {
            metrics.refused(team.name(), PublishMetrics.OTHER, reason, 1);
        }
        for (PublishRequest event : events) {
            metrics.refused(team.name(), label(team, event.type()), reason, 1);
        }
    }

    private static String label(Team team, String type) {
        return type != null && team.owns(type) ? type : PublishMetrics.OTHER;
    }
}
