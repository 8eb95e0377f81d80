package ai.kull.sync.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.WebSocketImplBase;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import org.jboss.logging.Logger;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;

/**
 * Writes a text frame to the Vert.x socket under a WebSockets Next connection. {@code sendText} wraps each
 * write in a Uni with context propagation and converts its completion twice; profiling a fan-out showed
 * that wrapper costing the router's thread more than the write it wraps. WebSockets Next keeps the socket
 * behind a package-private method, and Vert.x Web wraps it once more; both are reached once by reflection,
 * as is the socket's event loop (so the router can hand a loop its frames in one task, {@link WriteBatch})
 * and its frame type taking bytes encoded once for all the sessions that get the same frame. Should an
 * upgrade move them, writes fall back to {@code sendText} (logged once) and {@code SocketWriterTest} fails,
 * so the upgrade is noticed rather than silently slower.
 */
final class SocketWriter {

    private static final Logger LOG = Logger.getLogger(SocketWriter.class);
    private static final MethodHandle WEB_SOCKET = findWebSocketAccessor();
    /** The ServerWebSocket inside Vert.x Web's wrapper, which offers no accessor of its own. */
    private static final VarHandle WRAPPED = findWrappedSocket();

    private SocketWriter() {
    }

    /** Whether writes go straight to the Vert.x socket, on its event loop, as shared bytes. */
    static boolean direct() {
        return WEB_SOCKET != null && WRAPPED != null;
    }

    static void write(WebSocketConnection connection, String frame, Handler<AsyncResult<Void>> done) {
        WebSocketBase socket = socketOf(connection);
        if (socket != null) {
            socket.writeTextMessage(frame, done);
        } else {
            connection.sendText(frame).subscribe().with(
                    ok -> done.handle(Future.succeededFuture()),
                    failure -> done.handle(Future.failedFuture(failure)));
        }
    }

    /**
     * Writes {@code bytes} (a UTF-8 frame no larger than the socket's maximum frame, so it needs no
     * fragmenting) as one text frame. {@code bytes} may be shared: each write reads its own duplicate.
     */
    static void write(WebSocketConnection connection, String frame, ByteBuf bytes, Handler<AsyncResult<Void>> done) {
        WebSocketBase socket = socketOf(connection);
        if (socket != null) {
            socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.duplicate(), true), done);
        } else {
            write(connection, frame, done);
        }
    }

    /** The event loop the connection's socket writes on, or null when it cannot be reached. */
    static EventExecutor eventLoopOf(WebSocketConnection connection) {
        Object socket = socketOf(connection);
        if (socket != null && !(socket instanceof WebSocketImplBase<?>) && WRAPPED != null) {
            try {
                socket = WRAPPED.get(socket);
            } catch (ClassCastException notVertxWebsWrapper) {
                return null;
            }
        }
        return socket instanceof WebSocketImplBase<?> base && base.channelHandlerContext() != null
                ? base.channelHandlerContext().executor() : null;
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

    private static VarHandle findWrappedSocket() {
        try {
            Class<?> wrapper = Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper");
            return MethodHandles.privateLookupIn(wrapper, MethodHandles.lookup())
                    .findVarHandle(wrapper, "delegate", io.vertx.core.http.ServerWebSocket.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Vert.x Web no longer wraps the socket as expected (%s); each frame is a task of its own "
                    + "on its event loop, which costs more CPU per delivery", e);
            return null;
        }
    }
}
