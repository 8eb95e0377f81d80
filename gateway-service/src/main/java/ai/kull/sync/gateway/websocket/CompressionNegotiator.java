package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.config.GatewayConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.OptionalInt;

/**
 * permessage-deflate (RFC 7692) when {@code quarkus.websockets-next.server.per-message-compression-supported} is
 * true; application.properties sets it false (docs/benchmarks.md, "Compression": what it costs per connection).
 *
 * <p>Why we negotiate it ourselves: Quarkus 3.32 passes the switch to Vert.x, whose frame decoder then accepts
 * compressed frames, but Vert.x's negotiating handler never answers a client's offer (quarkus#53159), so no
 * connection is ever compressed. The upgrade check calls {@link #install} for every upgrade it permits; when the
 * request offers an acceptable permessage-deflate, a handler goes into the connection's pipeline that names the
 * accepted extension in the 101 answer and, once that is written, adds Netty's deflate encoder and decoder (what
 * Netty's own negotiator does). Vert.x's negotiator is taken out of that pipeline, so one answer is given even
 * after a Quarkus fix. A client message inflates to at most {@code gateway.session.max-message-bytes}; a bigger
 * one, like corrupt deflate data, is closed by {@link FrameViolationGuard} (1009, 1007).
 */
@Singleton
public class CompressionNegotiator {

    private static final String NAME = "sync-permessage-deflate";
    private static final String VERTX_NEGOTIATOR = "webSocketExtensionHandler";

    /** Null when compression is off. */
    private final PerMessageDeflateServerExtensionHandshaker handshaker;

    public CompressionNegotiator(
            @ConfigProperty(name = "quarkus.websockets-next.server.per-message-compression-supported") boolean enabled,
            @ConfigProperty(name = "quarkus.websockets-next.server.compression-level") OptionalInt level,
            GatewayConfig config) {
        this.handshaker = !enabled ? null : new PerMessageDeflateServerExtensionHandshaker(
                level.orElse(HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL),
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
                false, false, config.session().maxMessageBytes());
    }

    /** Negotiates the request's offer, if compression is on and the client offers it; else does nothing. */
    public void install(HttpServerRequest request) {
        String offer = request.getHeader(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        if (handshaker == null || offer == null) {
            return;
        }
        WebSocketServerExtension accepted = null;
        for (WebSocketExtensionData offered : WebSocketExtensionUtil.extractExtensions(offer)) {
            accepted = handshaker.handshakeExtension(offered);
            if (accepted != null) {
                break;
            }
        }
        if (accepted == null) {
            return;
        }
        ConnectionPipeline.addBeforeVertx(request, NAME, new Answer(accepted), VERTX_NEGOTIATOR);
    }

    /** Names the accepted extension in the 101 answer, then puts the extension's codec in its own place. */
    private static final class Answer extends ChannelOutboundHandlerAdapter {

        private final WebSocketServerExtension extension;

        Answer(WebSocketServerExtension extension) {
            this.extension = extension;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!(msg instanceof HttpResponse response)) {
                ctx.write(msg, promise);
                return;
            }
            ChannelPromise written = promise.unvoid();
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, headerValue(extension.newReponseData()));
                written.addListener(done -> {
                    if (done.isSuccess()) {
                        // Inbound: the WebSocket decoder, then the inflater; outbound the deflater, then the encoder.
                        ctx.pipeline().addAfter(ctx.name(), NAME + "-decoder", extension.newExtensionDecoder());
                        ctx.pipeline().addAfter(ctx.name(), NAME + "-encoder", extension.newExtensionEncoder());
                    }
                });
            }
            written.addListener(done -> {
                if (ctx.pipeline().context(this) != null) {
                    ctx.pipeline().remove(this);
                }
            });
            ctx.write(msg, written);
        }

        private static String headerValue(WebSocketExtensionData data) {
            StringBuilder value = new StringBuilder(data.name());
            data.parameters().forEach((key, parameter) ->
                    value.append("; ").append(key).append(parameter == null ? "" : "=" + parameter));
            return value.toString();
        }
    }
}
