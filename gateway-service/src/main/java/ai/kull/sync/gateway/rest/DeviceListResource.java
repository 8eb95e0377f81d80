package ai.kull.sync.gateway.rest;

import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.gateway.auth.AuthenticationFailure;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.auth.TokenVerifier;
import ai.kull.sync.gateway.presence.DeviceDirectory;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/**
 * The devices of a user connected to any gateway pod (the seeds' DeviceList). Answered from this pod's
 * copy of the cluster-wide device directory, so it is the same on every pod.
 */
@Path("/api/users/{userId}/devices")
public class DeviceListResource {

    /** @param devices one entry per connected device, the longest connected first */
    public record DeviceList(String userId, List<DeviceConnection> devices) {
    }

    private final DeviceDirectory directory;
    private final TokenVerifier verifier;

    public DeviceListResource(DeviceDirectory directory, TokenVerifier verifier) {
        this.directory = directory;
        this.verifier = verifier;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Devices of the user connected now",
            description = "Requires the user's own device token (Bearer header or token query parameter), or an admin token.")
    public Response devices(@PathParam("userId") String userId, @Context HttpServerRequest request) {
        try {
            DeviceIdentity caller = verifier.verify(TokenVerifier.tokenOf(request));
            if (!caller.userId().equals(userId) && !caller.isAdmin()) {
                throw AuthenticationFailure.forbidden("a token may only list its own user's devices");
            }
        } catch (AuthenticationFailure failure) {
            String code = failure.status() == 403 ? ErrorPayload.FORBIDDEN : ErrorPayload.UNAUTHENTICATED;
            return Response.status(failure.status()).entity(new ErrorPayload(code, failure.getMessage())).build();
        }
        return Response.ok(new DeviceList(userId, directory.devicesOf(userId, System.currentTimeMillis()))).build();
    }
}
