package ai.kull.sync.gateway.websocket;

import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.buffer.Buffer;

/** {@code /ws}: the seeds' main endpoint, for web tabs and native apps. */
@WebSocket(path = "/ws")
public class DeviceEndpoint {

    private final SyncProtocol protocol;

    public DeviceEndpoint(SyncProtocol protocol) {
        this.protocol = protocol;
    }

    @OnOpen
    public String onOpen(WebSocketConnection connection) {
        return protocol.open(connection);
    }

    @OnTextMessage
    public String onText(WebSocketConnection connection, String frame) {
        return protocol.receive(connection, frame);
    }

    @OnBinaryMessage
    public String onBinary(WebSocketConnection connection, Buffer frame) {
        return protocol.rejectBinary(connection);
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        protocol.close(connection);
    }
}
