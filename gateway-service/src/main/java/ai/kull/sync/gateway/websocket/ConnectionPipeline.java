package ai.kull.sync.gateway.websocket;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.NoSuchElementException;

/**
 * Where our Netty handlers join a WebSocket connection: just before Vert.x's own channel handler, the last in the
 * pipeline. Vert.x offers no hook into the WebSocket pipeline; the upgrade check reaches the connection's channel
 * through Vert.x's {@link ConnectionBase}.
 */
final class ConnectionPipeline {

    private static final String VERTX_HANDLER = "handler";

    private ConnectionPipeline() {
    }

    /**
     * Adds {@code handler} as {@code name} before Vert.x's handler of the request's connection, once, after taking
     * out the handlers named {@code replacing} it finds there. Does nothing for another transport, or when the
     * connection is closing.
     */
    static void addBeforeVertx(HttpServerRequest request, String name, ChannelHandler handler, String... replacing) {
        if (!(request.connection() instanceof ConnectionBase base)) {
            return;
        }
        ChannelPipeline pipeline = base.channel().pipeline();
        try {
            if (pipeline.get(name) == null && pipeline.get(VERTX_HANDLER) != null) {
                for (String replaced : replacing) {
                    if (pipeline.get(replaced) != null) {
                        pipeline.remove(replaced);
                    }
                }
                pipeline.addBefore(VERTX_HANDLER, name, handler);
            }
        } catch (IllegalArgumentException | NoSuchElementException raced) {
            // Added meanwhile, or the connection is closing: nothing to add to.
        }
    }
}
