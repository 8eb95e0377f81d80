package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.protocol.SyncProtocol;
import ai.kull.sync.gateway.session.SessionSender;
import io.quarkus.websockets.next.WebSocket;

/** {@code /ws/user/{userId}}: seed 004's path; the upgrade check requires userId to be the token's. */
@WebSocket(path = "/ws/user/{userId}")
public class UserPathEndpoint extends ProtocolEndpoint {

    public UserPathEndpoint(SyncProtocol protocol, SessionSender sender, GatewayMetrics metrics) {
        super(protocol, sender, metrics);
    }
}
