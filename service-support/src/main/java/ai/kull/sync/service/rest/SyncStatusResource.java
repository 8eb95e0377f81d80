package ai.kull.sync.service.rest;

import ai.kull.sync.service.config.ServiceConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The seeds' status check ({@code {"status":"ok","timestamp":..,"service":..}}), kept for existing callers. */
@Path("/api/sync/status")
public class SyncStatusResource {

    private final ServiceConfig config;

    public SyncStatusResource(ServiceConfig config) {
        this.config = config;
    }

    public record SyncStatus(String status, long timestamp, String service) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public SyncStatus status() {
        return new SyncStatus("ok", System.currentTimeMillis(), config.name());
    }
}
