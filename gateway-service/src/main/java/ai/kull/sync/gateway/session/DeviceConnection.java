package ai.kull.sync.gateway.session;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;

/**
 * What a session is delivered over: a WebSocket ({@link WebSocketDeviceConnection}) or, where WebSocket is
 * blocked, a Server-Sent Events stream (package sse). The router, the sender and the admin API see this, never the
 * transport, so replay, presence, acks and the bounds work the same for both.
 */
public interface DeviceConnection {

    /** Unique on this pod; what CONNECTION_ESTABLISHED and the admin API call the session id. */
    String id();

    /** The request path the device connected to (admin API). */
    String path();

    /**
     * Writes one encoded frame; {@code done} is called once the transport has handed it to the kernel (or failed),
     * which is what {@link OutboundBudget} counts to find slow consumers.
     */
    void write(String frame, Handler<AsyncResult<Void>> done);

    /** Closes with {@code code} and {@code reason}, as the device will see them; does not wait. */
    void close(int code, String reason);
}
