package ai.kull.sync.shoot.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.service.error.ApiError;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.publish.EventPublishing.Outgoing;
import ai.kull.sync.service.rest.CallerAuth;
import ai.kull.sync.service.rest.PublishedResponse;
import ai.kull.sync.service.rest.RequestBodies;
import ai.kull.sync.service.state.StateLoader;
import ai.kull.sync.shoot.service.ShootTracker;
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

/** Shoot progress in (seed 001's trigger) and each shoot's latest progress out. Blocking: worker threads. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ShootResource {

    private static final String ENDPOINT = "/api/sync/shoot-progress";

    private final RequestBodies bodies;
    private final CallerAuth auth;
    private final EventPublishing publishing;
    private final ShootTracker shoots;
    private final StateLoader state;

    public ShootResource(RequestBodies bodies, CallerAuth auth, EventPublishing publishing, ShootTracker shoots,
                         StateLoader state) {
        this.bodies = bodies;
        this.auth = auth;
        this.publishing = publishing;
        this.shoots = shoots;
        this.state = state;
    }

    @POST
    @Path("/sync/shoot-progress")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Publish a shoot's progress to its user's devices (SHOOT_PROGRESS, key userId)",
            description = "Body {userId, shootId, status, processedCount, totalCount, currentImage?, eta?, provider, "
                    + "errorMessage?}. 200 once Kafka acknowledged; 409 when the shoot belongs to another user; "
                    + "503 + Retry-After without Kafka.")
    @RequestBody(description = "The ShootProgress fields plus userId", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ShootProgress.class)))
    public Response shootProgress(byte[] body,
                                  @HeaderParam(EventPublishing.IDEMPOTENCY_KEY_HEADER) String idempotencyKey,
                                  @Context HttpHeaders headers) {
        auth.requireService(headers);
        var request = bodies.readForUser(body, ShootProgress.class);
        String userId = request.userId();
        ShootProgress progress = request.payload();
        EventPublishing.Result result = publishing.publish(ENDPOINT, idempotencyKey, request,
                List.of("shoot:" + progress.shootId()),
                alreadyDone -> {
                    if (alreadyDone.contains(userId)) {
                        return List.of();
                    }
                    shoots.ownerOf(progress.shootId()).filter(owner -> !owner.equals(userId)).ifPresent(owner -> {
                        throw ApiError.conflict("SHOOT_OF_ANOTHER_USER",
                                "shoot " + progress.shootId() + " belongs to another user; not published");
                    });
                    return List.of(Outgoing.toUser(userId,
                            Envelope.of(MessageType.SHOOT_PROGRESS, progress, userId, null)));
                },
                outgoing -> shoots.apply(userId, outgoing.envelope()));
        ShootProgress published = (ShootProgress) result.events().get(0).data();
        return PublishedResponse.of(result, Map.of("shootId", published.shootId(),
                "percentage", ShootView.percentage(published)));
    }

    @GET
    @Path("/shoots/{shootId}/progress")
    @Operation(summary = "The shoot's latest progress, whoever reported it (service or device)",
            description = "updatedAt is the timestamp of the SHOOT_PROGRESS that set it (the envelope's timestamp): a client "
                    + "keeps whichever of this and a live event is later (docs/protocol.md 3.3). 403 for a user's token "
                    + "unless the shoot is known to be that user's.")
    public ShootView progress(@PathParam("shootId") String shootId, @Context HttpHeaders headers) {
        state.requireCaughtUp();
        var tracked = shoots.shoot(shootId);
        // An unknown shoot has no owner: only a service learns that it does not exist.
        auth.requireServiceOrUser(headers, tracked.map(ShootTracker.Tracked::userId).orElse(""));
        return tracked.map(ShootView::of).orElseThrow(() -> ApiError.notFound("no progress known for shoot " + shootId));
    }

    @GET
    @Path("/users/{userId}/shoots/active")
    @Operation(summary = "The user's shoots in progress, and finished ones for shoot.active-grace; newest first",
            description = "Each with updatedAt, its SHOOT_PROGRESS timestamp, to order it against live events.")
    public List<ShootView> active(@PathParam("userId") String userId, @Context HttpHeaders headers) {
        auth.requireServiceOrUser(headers, userId);
        state.requireCaughtUp();
        return shoots.activeFor(userId).stream().map(ShootView::of).toList();
    }
}
