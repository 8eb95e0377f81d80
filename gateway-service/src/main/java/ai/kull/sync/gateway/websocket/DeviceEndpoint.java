package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.protocol.SyncProtocol;
import ai.kull.sync.gateway.session.SessionSender;
import io.quarkus.websockets.next.WebSocket;

/** {@code /ws}: the seeds' main endpoint, for web tabs and native apps. */
@WebSocket(path = "/ws")
public class DeviceEndpoint extends ProtocolEndpoint {

    public DeviceEndpoint(SyncProtocol protocol, SessionSender sender, GatewayMetrics metrics) {
        super(protocol, sender, metrics);
    }
}
