package ai.kull.sync.gateway.session;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.net.impl.ConnectionBase;

/** A session's WebSocket: frames go straight to the Netty channel under it ({@link SocketWriter}). */
public final class WebSocketDeviceConnection implements DeviceConnection {

    private final WebSocketConnection connection;
    /** Resolved once: fields of this object rather than one of their own, since every idle session holds them. */
    private final WebSocketBase socket;
    private final ConnectionBase channel;

    public WebSocketDeviceConnection(WebSocketConnection connection) {
        this.connection = connection;
        this.socket = SocketWriter.socketOf(connection);
        this.channel = SocketWriter.channelOf(socket);
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
        SocketWriter.write(connection, socket, channel, frame, done);
    }

    /** Whether frames go to the Netty channel directly (see {@link SocketWriter}). */
    boolean writesToChannel() {
        return channel != null;
    }

    @Override
    public void close(int code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, failure -> { });
    }
}
