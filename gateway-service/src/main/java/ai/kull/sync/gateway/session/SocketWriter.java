package ai.kull.sync.gateway.session;

import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import org.jboss.logging.Logger;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * Writes a text frame to the Vert.x socket under a WebSockets Next connection. {@code sendText} wraps each
 * write in a Uni with context propagation and converts its completion twice; profiling a fan-out showed
 * that wrapper costing the router's thread more than the write it wraps. WebSockets Next keeps the socket
 * behind a package-private method, reached here once by reflection. Should a Quarkus upgrade move it,
 * every write falls back to {@code sendText} (logged once) and {@code SocketWriterTest} fails, so the
 * upgrade is noticed rather than silently slower.
 */
final class SocketWriter {

    private static final Logger LOG = Logger.getLogger(SocketWriter.class);
    private static final MethodHandle WEB_SOCKET = findWebSocketAccessor();

    private SocketWriter() {
    }

    /** Whether writes go straight to the Vert.x socket. */
    static boolean direct() {
        return WEB_SOCKET != null;
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
}
