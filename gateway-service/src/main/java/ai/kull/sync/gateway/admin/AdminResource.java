package ai.kull.sync.gateway.admin;

import ai.kull.sync.events.Limits;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.gateway.admin.AdminViews.ActionDone;
import ai.kull.sync.gateway.admin.AdminViews.Closed;
import ai.kull.sync.gateway.admin.AdminViews.ClosedView;
import ai.kull.sync.gateway.admin.AdminViews.DisconnectRequest;
import ai.kull.sync.gateway.admin.AdminViews.Event;
import ai.kull.sync.gateway.admin.AdminViews.Pods;
import ai.kull.sync.gateway.admin.AdminViews.Trace;
import ai.kull.sync.gateway.admin.AdminViews.TraceRequest;
import ai.kull.sync.gateway.admin.AdminViews.TraceStarted;
import ai.kull.sync.gateway.admin.AdminViews.User;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The admin API (docs/admin-api.md): pods, one user across the cluster, recently closed sessions, delivery traces,
 * where an event went, and the write actions. Read-only unless {@code gateway.admin.write-enabled}; every answer
 * holds ids, times and counts only.
 */
@Path("/api/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin", description = "Operations: needs a JWT whose groups claim holds gateway.admin.role")
@SecurityScheme(securitySchemeName = "adminJwt", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
@SecurityRequirement(name = "adminJwt")
public class AdminResource {

    private static final Pattern ID = Pattern.compile(Limits.ID_PATTERN);
    /** Default number of recently closed sessions listed for a pod. */
    private static final int DEFAULT_CLOSED_LIMIT = 50;

    private final AdminAccess access;
    private final ClusterAdmin cluster;

    public AdminResource(AdminAccess access, ClusterAdmin cluster) {
        this.access = access;
        this.cluster = cluster;
    }

    @GET
    @Path("/pods")
    @Operation(summary = "Every live pod, from the pods' heartbeats")
    public Pods pods(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        access.read(authorization);
        return new Pods(cluster.pods());
    }

    @GET
    @Path("/users/{userId}")
    @Operation(summary = "One user's sessions on every pod and their recently closed sessions",
            description = "Asks every live pod; partial is true when a pod did not answer within gateway.admin.peer-timeout.")
    public User user(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("userId") String userId)
            throws InterruptedException {
        access.read(authorization);
        return cluster.user(id(userId, "userId"));
    }

    @GET
    @Path("/pods/{podId}/closed")
    @Operation(summary = "The pod's recently closed sessions, newest first, with close code and reason")
    public Closed closed(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("podId") String podId,
                         @QueryParam("limit") Integer limit) throws InterruptedException {
        access.read(authorization);
        List<ClosedView> closed = cluster.closed(id(podId, "podId"), limit == null ? DEFAULT_CLOSED_LIMIT : limit);
        if (closed == null) {
            throw AdminAccess.refusal(404, "NOT_FOUND", "pod " + podId + " is not live or did not answer in time");
        }
        return new Closed(podId, closed);
    }

    @POST
    @Path("/users/{userId}/trace")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a delivery trace of the user on every pod (time-boxed, capped, metadata only)")
    public Response startTrace(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                               @PathParam("userId") String userId, TraceRequest request) throws InterruptedException {
        access.read(authorization);
        TraceRequest body = request == null ? new TraceRequest(null, null) : request;
        if ((body.seconds() != null && body.seconds() < 1) || (body.maxEntries() != null && body.maxEntries() < 1)) {
            throw AdminAccess.refusal(400, ErrorPayload.INVALID_FIELD, "seconds and maxEntries must be at least 1");
        }
        TraceStarted started = cluster.startTrace(id(userId, "userId"), body.seconds(), body.maxEntries());
        return Response.accepted(started).build();
    }

    @GET
    @Path("/users/{userId}/trace")
    @Operation(summary = "The user's delivery trace from every pod")
    public Trace trace(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("userId") String userId)
            throws InterruptedException {
        access.read(authorization);
        return cluster.trace(id(userId, "userId"));
    }

    @GET
    @Path("/events/{eventId}")
    @Operation(summary = "Where an event still in the replay window went: its position and the sessions it reached per pod")
    public Event event(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("eventId") String eventId)
            throws InterruptedException {
        access.read(authorization);
        return cluster.event(id(eventId, "eventId"));
    }

    @POST
    @Path("/users/{userId}/disconnect")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Close the user's sessions on every pod with a reconnect code (write action, off by default)")
    public ActionDone disconnect(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                 @PathParam("userId") String userId, DisconnectRequest request) throws InterruptedException {
        AdminAccess.Caller caller = access.write(authorization);
        if (request == null || request.code() == null || !LocalAdmin.disconnectCodeAllowed(request.code())) {
            throw AdminAccess.refusal(400, ErrorPayload.INVALID_FIELD, "code must be 1012 or within 4000-4999");
        }
        return cluster.disconnect(caller, id(userId, "userId"), request.code());
    }

    @POST
    @Path("/users/{userId}/resync")
    @Operation(summary = "Send RESYNC_REQUIRED to the user's sessions on every pod (write action, off by default)")
    public ActionDone resync(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                             @PathParam("userId") String userId) throws InterruptedException {
        AdminAccess.Caller caller = access.write(authorization);
        return cluster.resync(caller, id(userId, "userId"));
    }

    private static String id(String value, String name) {
        if (value == null || value.length() > Limits.ID_MAX || !ID.matcher(value).matches()) {
            throw AdminAccess.refusal(400, ErrorPayload.INVALID_FIELD, name + " is not a valid id");
        }
        return value;
    }
}
