package ai.kull.sync.gateway.rest;

import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.session.SessionRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The seeds' health check, kept because existing web and native clients poll it; plus this pod's load. */
@Path("/api/sync/status")
public class SyncStatusResource {

    /** Service name the seeds' clients expect in the status answer. */
    static final String SERVICE_NAME = "websocket-sync";

    /** @param sessions WebSocket sessions open on this pod */
    public record SyncStatus(String status, long timestamp, String service, String pod, int sessions) {
    }

    private final SessionRegistry sessions;
    private final PodId podId;

    public SyncStatusResource(SessionRegistry sessions, PodId podId) {
        this.sessions = sessions;
        this.podId = podId;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public SyncStatus status() {
        return new SyncStatus("ok", System.currentTimeMillis(), SERVICE_NAME, podId.value(), sessions.size());
    }
}
