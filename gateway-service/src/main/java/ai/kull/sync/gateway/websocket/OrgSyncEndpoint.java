package ai.kull.sync.gateway.websocket;

import io.quarkus.websockets.next.WebSocket;

/** {@code /api/ws/sync/{orgId}}: seed 003's organization channel; the session is subscribed to orgId. */
@WebSocket(path = "/api/ws/sync/{orgId}")
public class OrgSyncEndpoint extends ProtocolEndpoint {

    public OrgSyncEndpoint(SyncProtocol protocol) {
        super(protocol);
    }
}
