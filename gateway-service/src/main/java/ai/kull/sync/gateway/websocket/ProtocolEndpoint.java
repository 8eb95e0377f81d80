package ai.kull.sync.gateway.websocket;

import io.quarkus.websockets.next.OnBinaryMessage;
import io.smallrye.common.annotation.NonBlocking;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.buffer.Buffer;

/** The callbacks every endpoint path shares; each path is a subclass that only names its path. */
public abstract class ProtocolEndpoint {

    private final SyncProtocol protocol;

    protected ProtocolEndpoint(SyncProtocol protocol) {
        this.protocol = protocol;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        protocol.open(connection);
    }

    @OnTextMessage
    public String onText(WebSocketConnection connection, String frame) {
        return protocol.receive(connection, frame);
    }

    /** Answered through the session (a text ERROR): what an @OnBinaryMessage method returns is sent as binary. */
    @OnBinaryMessage
    public void onBinary(WebSocketConnection connection, Buffer frame) {
        protocol.rejectBinary(connection);
    }

    /** Runs on the event loop: pongs arrive from every session every heartbeat interval. */
    @OnPongMessage
    @NonBlocking
    public void onPong(WebSocketConnection connection, Buffer data) {
        protocol.pong(connection);
    }

    /**
     * Vert.x reports a message over the maximum size that arrived in several frames as an
     * IllegalStateException: without this, it would be logged as an unhandled error, with a stack trace per
     * hostile client, and closed with 1011. (One frame over the maximum is rejected by Netty's frame decoder
     * before Vert.x sees a frame; {@link FrameViolationGuard} answers that one with 1009.)
     */
    @OnError
    public void onError(WebSocketConnection connection, IllegalStateException failure) {
        protocol.failed(connection, failure);
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        protocol.close(connection);
    }
}
