package ai.kull.sync.gateway.websocket;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Answers a WebSocket frame Netty's decoder rejects (above all one frame over
 * {@code quarkus.websockets-next.server.max-frame-size}, as browsers and Node send a big message) with its
 * close code, e.g. 1009, instead of a dropped connection; likewise a compressed message the inflater rejects.
 *
 * <p>Why it is needed: Vert.x builds the frame decoder with {@code closeOnProtocolViolation(false)}, so Netty
 * throws a {@link CorruptedWebSocketFrameException} without writing a close frame, and Vert.x's channel handler
 * reacts to any exception by closing the TCP connection at once. The client saw 1006, and WebSockets Next,
 * which dispatches the error to the endpoint later, logged it as an unhandled error with a stack trace and
 * failed to close the already closed connection (a second ERROR). This handler sits between the decoder and
 * Vert.x's handler, writes the close frame with the exception's status, half-closes the connection once it
 * is written and closes it when the client has closed its side (at most {@value #LINGER_MILLIS} ms later), counts it in {@code sync.gateway.sessions.closed{code}} and logs one debug line; the exception goes
 * no further. Other exceptions pass through untouched. Nothing is buffered: the decoder rejects a frame from
 * its header, before reading its payload.
 *
 * <p>Installed by the upgrade check on the connection of every upgrade it permits ({@link ConnectionPipeline}).
 */
@Singleton
public class FrameViolationGuard {

    private static final Logger LOG = Logger.getLogger(FrameViolationGuard.class);
    private static final String NAME = "sync-frame-violation-guard";
    /** How long a half-closed connection waits for the client to close its side. */
    private static final long LINGER_MILLIS = 2_000;

    private final Handler handler;

    public FrameViolationGuard(GatewayMetrics metrics) {
        this.handler = new Handler(metrics);
    }

    /** Adds the guard to the pipeline of the request's connection, once; does nothing for another transport. */
    public void install(HttpServerRequest request) {
        ConnectionPipeline.addBeforeVertx(request, NAME, handler);
    }

    /**
     * The close status of a frame the decoders reject, null for any other exception. The inflater of a compressed
     * connection ({@link CompressionNegotiator}) fails with a {@link DecompressionException}: a message inflating
     * beyond its bound (Netty says so only in the message) or data that is not deflate.
     */
    static WebSocketCloseStatus statusOf(Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupt) {
            return corrupt.closeStatus() != null ? corrupt.closeStatus() : WebSocketCloseStatus.PROTOCOL_ERROR;
        }
        if (cause instanceof DecompressionException inflating) {
            return String.valueOf(inflating.getMessage()).contains("maximum size") ? WebSocketCloseStatus.MESSAGE_TOO_BIG
                    : WebSocketCloseStatus.INVALID_PAYLOAD_DATA;
        }
        return null;
    }

    @ChannelHandler.Sharable
    static final class Handler extends ChannelInboundHandlerAdapter {

        private final GatewayMetrics metrics;

        Handler(GatewayMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            WebSocketCloseStatus status = statusOf(cause);
            if (status == null) {
                ctx.fireExceptionCaught(cause);
                return;
            }
            String reason = status.code() == CloseCodes.MESSAGE_TOO_BIG ? "message too big" : status.reasonText();
            LOG.debugf("closing WebSocket from %s with %d: %s", ctx.channel().remoteAddress(), status.code(),
                    cause.getMessage());
            metrics.closed(status.code());
            Channel channel = ctx.channel();
            if (!channel.isActive()) {
                return;
            }
            ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(written -> {
                if (written.isSuccess() && channel instanceof DuplexChannel duplex) {
                    // Half-close, and keep reading (the decoder discards the rest) until the client closes
                    // too: closing now, with the rest of its frame unread, would reset the connection, and
                    // a reset can destroy the close frame before the client reads it (or leave it waiting).
                    duplex.shutdownOutput();
                    channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
                } else {
                    channel.close();
                }
            });
        }
    }
}
