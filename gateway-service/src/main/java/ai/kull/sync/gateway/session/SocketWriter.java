package ai.kull.sync.gateway.session;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.FutureListener;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.net.impl.ConnectionBase;
import org.jboss.logging.Logger;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * Writes a text frame to the Netty channel under a WebSockets Next connection. {@code sendText} wraps each
 * write in a Uni with context propagation and converts its completion twice, and Vert.x's own
 * {@code writeTextMessage} completes each write through a promise dispatched on the connection's context:
 * profiling a fan-out showed the first costing the router's thread more than the write it wraps, and the second
 * a sixth of the event loops' time (issue 26). So a frame goes to the Vert.x connection's
 * {@code writeToChannel} as Vert.x itself would send it (one final text frame, the same pipeline: compression
 * and the idle handler apply), with a Netty listener called on the event loop as the write completes.
 * <p>
 * WebSockets Next keeps the socket behind a package-private method and Vert.x keeps the connection in a field;
 * both are reached once by reflection. Should an upgrade move them, every write falls back to Vert.x's
 * {@code writeTextMessage} or to {@code sendText} (logged once) and {@code SocketWriterTest} fails, so the upgrade
 * is noticed rather than silently slower.
 */
final class SocketWriter {

    private static final Logger LOG = Logger.getLogger(SocketWriter.class);
    private static final MethodHandle WEB_SOCKET = findWebSocketAccessor();
    /** The Vert.x Web wrapper WebSockets Next hands out, and the Vert.x WebSocket under it. */
    private static final MethodHandle WRAPPED = findField("io.vertx.ext.web.impl.ServerWebSocketWrapper", "delegate");
    /** The Vert.x WebSocket's connection, which writes to the Netty channel. */
    private static final MethodHandle CONNECTION = findField("io.vertx.core.http.impl.WebSocketImplBase", "conn");
    /**
     * Frames up to this many characters (at most three UTF-8 bytes each) fit in one WebSocket frame of the server's
     * smallest configured size; longer ones go through {@code writeTextMessage}, which splits them by that size.
     */
    static final int DIRECT_MAX_CHARS = 16 * 1024;
    private static final Future<Void> WRITTEN = Future.succeededFuture();

    private final WebSocketConnection connection;
    /** Null when the socket could not be reached: then {@code sendText}. */
    private final WebSocketBase socket;
    /** Null when the connection could not be reached: then {@code writeTextMessage}. */
    private final ConnectionBase channel;

    SocketWriter(WebSocketConnection connection) {
        this.connection = connection;
        this.socket = socketOf(connection);
        this.channel = channelOf(socket);
    }

    /** Whether writes go straight to the Vert.x connection's channel on this Quarkus version. */
    static boolean direct() {
        return WEB_SOCKET != null && WRAPPED != null && CONNECTION != null;
    }

    /** Whether this session's writes do (false for a connection type the accessors do not fit). */
    boolean writesToChannel() {
        return channel != null;
    }

    void write(String frame, Handler<AsyncResult<Void>> done) {
        if (channel != null && frame.length() <= DIRECT_MAX_CHARS) {
            if (socket.isClosed()) {
                done.handle(Future.failedFuture("WebSocket is closed"));
                return;
            }
            channel.writeToChannel(new TextWebSocketFrame(true, 0, Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8)),
                    (FutureListener<Void>) written -> done.handle(written.isSuccess() ? WRITTEN
                            : Future.failedFuture(written.cause())));
        } else if (socket != null) {
            socket.writeTextMessage(frame, done);
        } else {
            connection.sendText(frame).subscribe().with(
                    ok -> done.handle(WRITTEN),
                    failure -> done.handle(Future.failedFuture(failure)));
        }
    }

    private static WebSocketBase socketOf(WebSocketConnection connection) {
        if (WEB_SOCKET == null) {
            return null;
        }
        try {
            return (WebSocketBase) WEB_SOCKET.invoke(connection);
        } catch (Throwable notTheExpectedConnection) {
            return null; // e.g. a client-side connection type: sendText still works
        }
    }

    private static ConnectionBase channelOf(WebSocketBase socket) {
        if (socket == null || WRAPPED == null || CONNECTION == null) {
            return null;
        }
        try {
            return (ConnectionBase) CONNECTION.invoke(WRAPPED.invoke(socket));
        } catch (Throwable notTheExpectedSocket) {
            return null; // writeTextMessage still works
        }
    }

    private static MethodHandle findWebSocketAccessor() {
        try {
            Class<?> base = Class.forName("io.quarkus.websockets.next.runtime.WebSocketConnectionBase");
            Method method = base.getDeclaredMethod("webSocket");
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method)
                    .asType(MethodType.methodType(WebSocketBase.class, WebSocketConnection.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("WebSockets Next no longer exposes its Vert.x socket as expected (%s); frames go through "
                    + "sendText, which costs more CPU per delivery", e);
            return null;
        }
    }

    private static MethodHandle findField(String className, String name) {
        try {
            Field field = Class.forName(className).getDeclaredField(name);
            field.setAccessible(true);
            return MethodHandles.lookup().unreflectGetter(field).asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Vert.x no longer keeps %s.%s as expected (%s); frames go through writeTextMessage, which "
                    + "costs more CPU per delivery", className, name, e);
            return null;
        }
    }
}
