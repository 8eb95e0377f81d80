package ai.kull.sync.gateway.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The seeds' health check, kept because existing web and native clients poll it. */
@Path("/api/sync/status")
public class SyncStatusResource {

    /** Service name the seeds' clients expect in the status answer. */
    static final String SERVICE_NAME = "websocket-sync";

    public record SyncStatus(String status, long timestamp, String service) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public SyncStatus status() {
        return new SyncStatus("ok", System.currentTimeMillis(), SERVICE_NAME);
    }
}
