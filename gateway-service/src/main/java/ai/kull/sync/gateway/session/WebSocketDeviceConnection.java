package ai.kull.sync.gateway.session;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;

/** A session's WebSocket: frames go straight to the Vert.x socket ({@link SocketWriter}). */
public final class WebSocketDeviceConnection implements DeviceConnection {

    private final WebSocketConnection connection;

    public WebSocketDeviceConnection(WebSocketConnection connection) {
        this.connection = connection;
    }

    @Override
    public String id() {
        return connection.id();
    }

    @Override
    public String path() {
        return connection.handshakeRequest().path();
    }

    @Override
    public void write(String frame, Handler<AsyncResult<Void>> done) {
        SocketWriter.write(connection, frame, done);
    }

    @Override
    public void close(int code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, failure -> { });
    }
}
