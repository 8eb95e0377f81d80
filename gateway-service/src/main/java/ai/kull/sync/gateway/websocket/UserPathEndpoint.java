package ai.kull.sync.gateway.websocket;

import io.quarkus.websockets.next.WebSocket;

/** {@code /ws/user/{userId}}: seed 004's path; the upgrade check requires userId to be the token's. */
@WebSocket(path = "/ws/user/{userId}")
public class UserPathEndpoint extends ProtocolEndpoint {

    public UserPathEndpoint(SyncProtocol protocol) {
        super(protocol);
    }
}
