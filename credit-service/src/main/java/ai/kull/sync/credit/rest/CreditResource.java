package ai.kull.sync.credit.rest;

import ai.kull.sync.credit.service.CreditBalances;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.service.error.ApiError;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.publish.EventPublishing.Outgoing;
import ai.kull.sync.service.rest.CallerAuth;
import ai.kull.sync.service.rest.PublishedResponse;
import ai.kull.sync.service.rest.RequestBodies;
import ai.kull.sync.service.state.StateLoader;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

/** Credit balance changes in (seed 001's trigger) and the latest balance out. Blocking: runs on worker threads. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class CreditResource {

    private static final String ENDPOINT = "/api/sync/credit-update";

    private final RequestBodies bodies;
    private final CallerAuth auth;
    private final EventPublishing publishing;
    private final CreditBalances balances;
    private final StateLoader state;

    public CreditResource(RequestBodies bodies, CallerAuth auth, EventPublishing publishing, CreditBalances balances,
                          StateLoader state) {
        this.bodies = bodies;
        this.auth = auth;
        this.publishing = publishing;
        this.balances = balances;
        this.state = state;
    }

    @POST
    @Path("/sync/credit-update")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Publish a user's new credit balance (CREDIT_UPDATE, key userId)",
            description = "Body {userId, newBalance, change, reason, version?}. 200 once Kafka acknowledged; "
                    + "409 STALE_VERSION when version is not above the user's latest; 503 + Retry-After without Kafka.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CreditUpdate.class)))
    public Response creditUpdate(byte[] body,
                                 @HeaderParam(EventPublishing.IDEMPOTENCY_KEY_HEADER) String idempotencyKey,
                                 @Context HttpHeaders headers) {
        auth.requireService(headers);
        CreditUpdate update = bodies.read(body, CreditUpdate.class);
        String userId = update.userId();
        EventPublishing.Result result = publishing.publish(ENDPOINT, idempotencyKey, update, List.of(userId),
                alreadyDone -> alreadyDone.contains(userId) ? List.of() : List.of(versioned(update)),
                new EventPublishing.Outcome() {
                    @Override
                    public void acknowledged(Outgoing outgoing) {
                        balances.apply(userId, outgoing.envelope());
                    }

                    @Override
                    public void failed(Outgoing outgoing) {
                        balances.release(userId, ((CreditUpdate) outgoing.envelope().data()).version());
                    }
                });
        CreditUpdate published = (CreditUpdate) result.events().get(0).data();
        return PublishedResponse.of(result, Map.of("version", published.version(),
                "newBalance", published.newBalance()));
    }

    @GET
    @Path("/credits/{userId}/balance")
    @Operation(summary = "The user's latest balance: {userId, balance, version, eventId, updatedAt}",
            description = "version is the CREDIT_UPDATE's version: a client keeps whichever of this and a live event has "
                    + "the higher one (docs/protocol.md 3.3). A user with no update yet has balance 0 at version 0.")
    public CreditBalances.Balance balance(@PathParam("userId") String userId, @Context HttpHeaders headers) {
        auth.requireServiceOrUser(headers, userId);
        return currentBalance(userId);
    }

    @GET
    @Path("/credits/balance")
    @Operation(summary = "The caller's own latest balance (the seeds' web app path); needs the user's JWT",
            description = "As /api/credits/{userId}/balance, for the token's sub.")
    public CreditBalances.Balance ownBalance(@Context HttpHeaders headers) {
        return currentBalance(auth.requireUser(headers));
    }

    private CreditBalances.Balance currentBalance(String userId) {
        state.requireCaughtUp();
        return balances.balanceOf(userId);
    }

    /** Called under the user's lock: check the version, then hold it until the publish resolves. */
    private Outgoing versioned(CreditUpdate update) {
        long known = balances.highestVersion(update.userId());
        if (update.version() != null && update.version() <= known) {
            throw ApiError.conflict("STALE_VERSION", "version " + update.version()
                            + " is not above the latest version " + known + " of this user; not published")
                    .with("currentVersion", known);
        }
        long version = update.version() != null ? update.version() : known + 1;
        balances.reserve(update.userId(), version);
        CreditUpdate withVersion = update.withVersion(version);
        return Outgoing.toUser(update.userId(),
                Envelope.of(MessageType.CREDIT_UPDATE, withVersion, update.userId(), null));
    }
}
