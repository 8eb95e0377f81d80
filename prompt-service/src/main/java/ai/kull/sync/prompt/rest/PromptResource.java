package ai.kull.sync.prompt.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.publish.EventPublishing.Outgoing;
import ai.kull.sync.service.rest.CallerAuth;
import ai.kull.sync.service.rest.PublishedResponse;
import ai.kull.sync.service.rest.RequestBodies;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Marketplace prompt changes (seed 001's trigger): to the listed users, one record per user keyed by that
 * user, or, without {@code userIds}, one broadcast record keyed by the promptId that every session receives.
 * Each listed user's event names only that user in {@code userIds}, so no one learns who else was notified.
 */
@Path("/api/sync/prompt-change")
@Produces(MediaType.APPLICATION_JSON)
public class PromptResource {

    private static final String ENDPOINT = "/api/sync/prompt-change";

    private final RequestBodies bodies;
    private final CallerAuth auth;
    private final EventPublishing publishing;

    public PromptResource(RequestBodies bodies, CallerAuth auth, EventPublishing publishing) {
        this.bodies = bodies;
        this.auth = auth;
        this.publishing = publishing;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Publish a prompt change (PROMPT_CHANGE) to the listed users or to everyone",
            description = "Body {promptId, action: created|updated|deleted|voted, userIds?}. 200 once Kafka "
                    + "acknowledged every record; a retry with the same Idempotency-Key publishes only what is "
                    + "missing; 503 + Retry-After without Kafka.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = PromptChange.class)))
    public Response promptChange(byte[] body,
                                 @HeaderParam(EventPublishing.IDEMPOTENCY_KEY_HEADER) String idempotencyKey,
                                 @Context HttpHeaders headers) {
        auth.requireService(headers);
        PromptChange change = bodies.read(body, PromptChange.class);
        if (change.userIds() != null && change.userIds().isEmpty()) {
            throw new InvalidEventException(ErrorPayload.INVALID_FIELD,
                    List.of(new Violation("userIds", "must not be empty; omit it to notify everyone")));
        }
        EventPublishing.Result result = publishing.publish(ENDPOINT, idempotencyKey, change, List.of(),
                alreadyDone -> plan(change, alreadyDone), outgoing -> { });
        Object recipients = change.userIds() == null ? "everyone" : result.events().size();
        return PublishedResponse.of(result, Map.of("recipients", recipients));
    }

    private static List<Outgoing> plan(PromptChange change, Set<String> alreadyDone) {
        if (change.userIds() == null) {
            return alreadyDone.contains(change.promptId()) ? List.of() : List.of(Outgoing.toEveryone(change.promptId(),
                    Envelope.of(MessageType.PROMPT_CHANGE, change, null, null)));
        }
        return change.userIds().stream()
                .distinct()
                .filter(userId -> !alreadyDone.contains(userId))
                .map(userId -> Outgoing.toUser(userId, Envelope.of(MessageType.PROMPT_CHANGE,
                        new PromptChange(change.promptId(), change.action(), List.of(userId)), userId, null)))
                .toList();
    }
}
