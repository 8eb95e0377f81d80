package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.protocol.SyncProtocol;
import ai.kull.sync.gateway.session.SessionSender;
import io.quarkus.websockets.next.WebSocket;

/** {@code /api/ws/sync/{orgId}}: seed 003's organization channel; the session is subscribed to orgId. */
@WebSocket(path = "/api/ws/sync/{orgId}")
public class OrgSyncEndpoint extends ProtocolEndpoint {

    public OrgSyncEndpoint(SyncProtocol protocol, SessionSender sender, GatewayMetrics metrics) {
        super(protocol, sender, metrics);
    }
}
