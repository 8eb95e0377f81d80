package ai.kull.sync.gateway.sse;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.auth.AuthenticationFailure;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.auth.TokenVerifier;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.messaging.PeerRequests;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.protocol.OpenSession;
import ai.kull.sync.gateway.protocol.SessionGate;
import ai.kull.sync.gateway.protocol.SyncProtocol;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sync protocol over Server-Sent Events, for devices whose network breaks WebSocket upgrades (corporate
 * proxies, some mobile carriers). The same sessions as a WebSocket's: the same gate (token, path, cursor,
 * admission, drain), the same router, replay, presence, acks, bounds, idle timeout and metrics.
 * <ul>
 * <li>{@code GET /sse}, {@code /sse/user/{userId}}, {@code /api/sse/sync/{orgId}} (the WebSocket paths with
 * {@code ws} replaced by {@code sse}) open a session: the token in {@code Authorization: Bearer} (or the
 * {@code token} parameter, for EventSource, which cannot set headers), the cursor in {@code Last-Event-ID}. A
 * refusal is the gate's HTTP status with {@code {"code":<4000+status>,"reason":"..."}}, the close a browser's
 * WebSocket would get. The stream carries the frames a WebSocket would, and ends with an {@code event: close}
 * carrying the close code and reason ({@link SseConnection}). It starts with the comment
 * {@code :heartbeat=<ms>}: a comment line follows at that interval whenever nothing else was written.</li>
 * <li>{@code POST /sse/sessions/{sessionId}} (the id is CONNECTION_ESTABLISHED's connectionId) carries one client
 * frame, the token again. The answer is the frames a WebSocket would have answered, one JSON per line: 200 once
 * processed (UPDATE_PROGRESS: once durable), 204 when nothing answers; an ERROR with 400 (403 FORBIDDEN, 429
 * RATE_LIMITED, 503 UNAVAILABLE); 413 over {@code gateway.session.max-message-bytes}; 401 for a bad token and 404
 * for a stream that is gone (with {@code {"code","reason"}}: the client reconnects the stream). A POST that a load
 * balancer sent to another pod than the stream's is relayed to the stream's pod (named in the session id) over
 * the peer bus ({@link PeerRequests}), so no session affinity is needed.</li>
 * </ul>
 */
@ApplicationScoped
public class SseEndpoint implements PeerRequests.Op {

    private static final Logger LOG = Logger.getLogger(SseEndpoint.class);
    static final List<String> STREAM_PATHS = List.of("/sse", "/sse/user/:userId", "/api/sse/sync/:orgId");
    static final String MESSAGES_PATH = "/sse/sessions/:sessionId";
    private static final String JSON = "application/json";
    private static final String FRAMES = "application/x-ndjson";
    /** What a POST naming a stream this pod does not hold tells the client: its stream is lost, reconnect. */
    private static final int STREAM_LOST = 1006;
    private static final int SERVER_ERROR = 1011;
    /** The peer question that relays a POSTed frame to the pod holding its stream. */
    static final String RELAY = "sse-message";
    /** How long a relayed frame may take to process (UPDATE_PROGRESS: to be durable) on the stream's pod. */
    private static final long RELAY_PROCESSING_SECONDS = 10;

    private final SessionGate gate;
    private final SyncProtocol protocol;
    private final TokenVerifier verifier;
    private final GatewayMetrics metrics;
    private final PeerRequests peers;
    private final String podId;
    private final int maxMessageBytes;
    /** The stream's first line, a comment: how often heartbeats come, so a client can tell a dead stream. */
    private final String preamble;
    /** This pod's SSE sessions by id: what a POST names. */
    private final Map<String, OpenSession> streams = new ConcurrentHashMap<>();

    public SseEndpoint(SessionGate gate, SyncProtocol protocol, TokenVerifier verifier, GatewayMetrics metrics,
                       PeerRequests peers, PodId podId, GatewayConfig config) {
        this.peers = peers;
        this.gate = gate;
        this.protocol = protocol;
        this.verifier = verifier;
        this.metrics = metrics;
        this.podId = podId.value();
        this.maxMessageBytes = config.session().maxMessageBytes();
        this.preamble = ":heartbeat=" + config.heartbeatInterval().toMillis() + "\n\n";
        metrics.sseSessionsGauge(streams);
    }

    void routes(@Observes Router router) {
        // Blocking: opening a session attaches it to the router (replay, acknowledged-cursor look-up), as a
        // WebSocket's open callback does on a worker thread.
        STREAM_PATHS.forEach(path -> router.get(path).blockingHandler(this::stream, false));
        router.post(MESSAGES_PATH)
                .handler(BodyHandler.create(false).setBodyLimit(maxMessageBytes))
                .blockingHandler(this::message, false)
                .failureHandler(this::failed);
    }

    private void stream(RoutingContext context) {
        HttpServerRequest request = context.request();
        String orgId = context.pathParam("orgId");
        SessionGate.Decision decision = gate.admit(request, context.pathParam("userId"), orgId);
        HttpServerResponse response = context.response();
        if (decision instanceof SessionGate.Refused refused) {
            refused.headers().forEach(response::putHeader);
            closeAnswer(response, refused.status(), CloseCodes.ofRefusedUpgrade(refused.status()),
                    CloseCodes.refusalReason(refused.retryAfterSeconds(), refused.reason()));
            return;
        }
        SessionGate.Admitted admitted = (SessionGate.Admitted) decision;
        if (response.closed()) {
            protocol.neverOpened(admitted);
            return;
        }
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                // nginx and similar proxies buffer responses unless told not to: events must flow at once.
                .putHeader("X-Accel-Buffering", "no")
                .write(preamble);
        // The pod in the id: what a POST that reached another pod names (and what an operator reads).
        SseConnection connection = new SseConnection(UUID.randomUUID() + "@" + podId, request.path(), response);
        OpenSession open = protocol.open(connection, admitted);
        // Before CONNECTION_ESTABLISHED is written: the client POSTs as soon as it reads it.
        streams.put(connection.id(), open);
        protocol.attach(open, admitted.cursor(), orgId);
        connection.whenEnded(code -> {
            streams.remove(connection.id());
            protocol.close(open, code < 0 ? null : code);
        });
    }

    private void message(RoutingContext context) {
        HttpServerResponse response = context.response();
        DeviceIdentity identity;
        try {
            identity = verifier.verify(TokenVerifier.tokenOf(context.request()));
        } catch (AuthenticationFailure failure) {
            closeAnswer(response, failure.status(), CloseCodes.ofRefusedUpgrade(failure.status()), failure.getMessage());
            return;
        }
        String sessionId = context.pathParam("sessionId");
        String frame = context.body().asString();
        frame = frame == null ? "" : frame;
        OpenSession open = streams.get(sessionId);
        if (open != null) {
            if (!ownedBy(open, identity.userId(), identity.deviceId())) {
                gone(response, sessionId);
                return;
            }
            protocol.receive(open, frame).whenComplete((reply, failure) -> {
                if (failure != null) {
                    LOG.errorf(failure, "SSE message of %s failed", sessionId);
                    closeAnswer(response, 500, SERVER_ERROR, "server error");
                } else {
                    answer(response, reply.status(), reply.frames());
                }
            });
            return;
        }
        relay(response, sessionId, identity, frame);
    }

    /** The stream is on another pod (the load balancer sent this POST elsewhere): that pod processes the frame. */
    private void relay(HttpServerResponse response, String sessionId, DeviceIdentity identity, String frame) {
        int at = sessionId.lastIndexOf('@');
        String pod = at < 0 ? null : sessionId.substring(at + 1);
        if (pod == null || pod.equals(podId)) {
            gone(response, sessionId);
            return;
        }
        Optional<JsonNode> relayed;
        try {
            relayed = peers.ask(pod, RELAY, Map.of("sessionId", sessionId, "userId", identity.userId(),
                    "deviceId", identity.deviceId(), "frame", frame));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            relayed = Optional.empty();
        }
        JsonNode reply = relayed.orElse(null);
        if (reply == null || reply.path("status").asInt() == 404) {
            // Its pod did not answer (it is gone, and the stream with it) or holds no such stream.
            gone(response, sessionId);
            return;
        }
        List<String> frames = new ArrayList<>();
        reply.path("frames").forEach(node -> frames.add(node.asText()));
        answer(response, reply.path("status").asInt(500), frames);
    }

    /** Answers a frame relayed from the pod a POST reached, for a stream of this pod. */
    @Override
    public Object answer(Map<String, String> args) {
        OpenSession open = streams.get(args.get("sessionId"));
        if (open == null || !ownedBy(open, args.get("userId"), args.get("deviceId"))) {
            return Map.of("status", 404);
        }
        try {
            SyncProtocol.Reply reply = protocol.receive(open, args.getOrDefault("frame", ""))
                    .toCompletableFuture().get(RELAY_PROCESSING_SECONDS, TimeUnit.SECONDS);
            return Map.of("status", reply.status(), "frames", reply.frames());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Map.of("status", 503);
        } catch (ExecutionException | TimeoutException failed) {
            LOG.errorf(failed, "relayed SSE message of %s failed", args.get("sessionId"));
            return Map.of("status", 500);
        }
    }

    @Override
    public String name() {
        return RELAY;
    }

    /** A session is answered only to its own device: ids are no secret (admin API, logs). */
    private static boolean ownedBy(OpenSession open, String userId, String deviceId) {
        return open.session().userId().equals(userId) && open.session().deviceId().equals(deviceId);
    }

    private void gone(HttpServerResponse response, String sessionId) {
        metrics.sseMessage(404);
        closeAnswer(response, 404, STREAM_LOST, "no open stream " + sessionId + "; reconnect");
    }

    /** The frames that answer a POSTed frame, one per line, with its status (204 when none and all went well). */
    private void answer(HttpServerResponse response, int status, List<String> frames) {
        metrics.sseMessage(status);
        if (response.ended() || response.closed()) {
            return;
        }
        if (frames.isEmpty()) {
            if (status == 200) {
                response.setStatusCode(204).end();
            } else if (status == 429) {
                closeAnswer(response, status, CloseCodes.RATE_LIMITED, "too many messages, reconnect later");
            } else {
                closeAnswer(response, status, status >= 500 ? SERVER_ERROR : STREAM_LOST, "not processed");
            }
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, FRAMES).end(String.join("\n", frames));
    }

    /** A body over the limit (BodyHandler answers 413), or a failure the handlers did not answer. */
    private void failed(RoutingContext context) {
        int status = context.statusCode() > 0 ? context.statusCode() : 500;
        if (status == 413) {
            metrics.sseMessage(413);
            closeAnswer(context.response(), 413, CloseCodes.MESSAGE_TOO_BIG,
                    "message too big: over " + maxMessageBytes + " bytes");
        } else {
            LOG.errorf(context.failure(), "SSE request failed with %d", status);
            closeAnswer(context.response(), status, SERVER_ERROR, "server error");
        }
    }

    /** Server-side heartbeats: a comment line on every stream that has nothing in flight. */
    @Scheduled(every = "${gateway.heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        for (OpenSession open : streams.values()) {
            if (open.session().outbound().pending() == 0 && open.session().connection() instanceof SseConnection stream) {
                stream.heartbeat();
            }
        }
    }

    /** Answers with {@code {"code":<close code>,"reason":"..."}}: what the client closes its side with. */
    private static void closeAnswer(HttpServerResponse response, int status, int closeCode, String reason) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .end("{\"code\":" + closeCode + ",\"reason\":\"" + SseConnection.jsonEscaped(reason) + "\"}");
    }
}
