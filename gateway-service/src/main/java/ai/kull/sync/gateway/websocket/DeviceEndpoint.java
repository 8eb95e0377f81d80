package ai.kull.sync.gateway.websocket;

import io.quarkus.websockets.next.WebSocket;

/** {@code /ws}: the seeds' main endpoint, for web tabs and native apps. */
@WebSocket(path = "/ws")
public class DeviceEndpoint extends ProtocolEndpoint {

    public DeviceEndpoint(SyncProtocol protocol) {
        super(protocol);
    }
}
