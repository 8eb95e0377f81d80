package ai.kull.sync.gateway.session;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;

/** A session's WebSocket: frames go straight to the Netty channel under it ({@link SocketWriter}). */
public final class WebSocketDeviceConnection implements DeviceConnection {

    private final WebSocketConnection connection;
    private final SocketWriter writer;

    public WebSocketDeviceConnection(WebSocketConnection connection) {
        this.connection = connection;
        this.writer = new SocketWriter(connection);
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
        writer.write(frame, done);
    }

    /** Whether frames go to the Netty channel directly (see {@link SocketWriter}). */
    boolean writesToChannel() {
        return writer.writesToChannel();
    }

    @Override
    public void close(int code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, failure -> { });
    }
}
