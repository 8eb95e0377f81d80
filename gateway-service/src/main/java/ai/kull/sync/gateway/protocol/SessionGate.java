package ai.kull.sync.gateway.protocol;

import ai.kull.sync.gateway.acks.AckStore;
import ai.kull.sync.gateway.admission.AdmissionControl;
import ai.kull.sync.gateway.auth.AuthenticationFailure;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.auth.TokenVerifier;
import ai.kull.sync.gateway.messaging.ConsumerProgress;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.session.SessionDrain;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who may open a session, decided once for every transport (the WebSocket upgrade check and the SSE stream's
 * request): refuses while the pod drains or starts, applies {@link AdmissionControl admission}, has the token
 * verified ({@link TokenVerifier}) and the path authorized, and reads the cursor a device resumes from. 401 for a
 * missing, expired, forged or malformed token, 403 when the path names another user or an organization the token
 * does not allow, 429 when the user already has {@code gateway.session.max-per-user} sessions on this pod, and,
 * before the token is even read, 503 with Retry-After when the pod is draining or starting, or has admitted
 * {@code gateway.admission.max-new-per-second} sessions already. Each refusal is counted once in
 * {@code sync.gateway.upgrades.rejected{status}}.
 */
@ApplicationScoped
public class SessionGate {

    /**
     * Where a reconnecting device's cursor travels: {@value #LAST_EVENT_ID} (SSE's own resume header), the
     * {@value #CURSOR_HEADER} header or the {@code cursor} query parameter. The literal {@code acked} asks for the
     * device's acknowledged cursor ({@link SyncProtocol#ACKED_CURSOR}).
     */
    public static final String CURSOR_HEADER = "X-Sync-Cursor";
    public static final String LAST_EVENT_ID = "Last-Event-ID";
    /** The response header that says why a session was refused. */
    public static final String REASON_HEADER = "X-Sync-Auth-Error";

    /** What the gate decided. */
    public sealed interface Decision permits Admitted, Refused {
    }

    /** A session may open: who it is, the connection slot it holds, and the cursor it resumes from (or null). */
    public record Admitted(DeviceIdentity identity, AdmissionControl.Slot slot, String cursor) implements Decision {
    }

    /**
     * A refusal: the HTTP status, the Retry-After seconds (or null) and the reason in words; {@code explained} is
     * whether the reason goes out in {@value #REASON_HEADER}.
     */
    public record Refused(int status, Integer retryAfterSeconds, String reason, boolean explained) implements Decision {

        /** The refusal's response headers. */
        public Map<String, String> headers() {
            Map<String, String> headers = new LinkedHashMap<>();
            if (retryAfterSeconds != null) {
                headers.put("Retry-After", String.valueOf(retryAfterSeconds));
            }
            if (explained) {
                headers.put(REASON_HEADER, reason);
            }
            return headers;
        }
    }

    private final TokenVerifier verifier;
    private final SessionDrain drain;
    private final ConsumerProgress consumer;
    private final AdmissionControl admission;
    private final GatewayMetrics metrics;
    private final AckStore acks;

    public SessionGate(TokenVerifier verifier, SessionDrain drain, ConsumerProgress consumer, AdmissionControl admission,
                       GatewayMetrics metrics, AckStore acks) {
        this.verifier = verifier;
        this.drain = drain;
        this.consumer = consumer;
        this.admission = admission;
        this.metrics = metrics;
        this.acks = acks;
    }

    /**
     * @param pathUser the userId the path names, or null
     * @param pathOrg  the organization the path names, or null
     */
    public Decision admit(HttpServerRequest request, String pathUser, String pathOrg) {
        // The acknowledged cursors too: a cursor=acked resume must not miss one the store has not read yet.
        if (drain.isDraining() || !consumer.isCaughtUp() || !acks.isCaughtUp()) {
            // Draining, or still filling the replay window: the load balancer may not have seen the pod
            // unready yet, so send the device elsewhere.
            return refused(new Refused(503, 1, drain.isDraining() ? "pod draining, reconnect to another pod"
                    : "pod starting (filling its replay window), reconnect to another pod", false));
        }
        if (!admission.admitNew()) {
            // A reconnect storm: spread the retries over a few seconds even for clients that add no jitter.
            return refused(new Refused(503, 1 + ThreadLocalRandom.current().nextInt(5),
                    "too many new connections on this pod, retry later", true));
        }
        try {
            DeviceIdentity identity = verifier.verify(request);
            TokenVerifier.authorizePath(identity, pathUser, pathOrg);
            // A refused reservation takes no slot, so a refused connection holds none.
            AdmissionControl.Slot slot = admission.reserve(identity.userId());
            if (slot == null) {
                return refused(new Refused(429, 10, "too many connections for this user on this pod", true));
            }
            return new Admitted(identity, slot, cursorOf(request));
        } catch (AuthenticationFailure failure) {
            return refused(new Refused(failure.status(), null, failure.getMessage(), true));
        }
    }

    private static String cursorOf(HttpServerRequest request) {
        String cursor = request.getHeader(LAST_EVENT_ID);
        cursor = cursor != null && !cursor.isEmpty() ? cursor : request.getHeader(CURSOR_HEADER);
        return cursor != null ? cursor : request.getParam("cursor");
    }

    private Refused refused(Refused refusal) {
        metrics.upgradeRejected(refusal.status());
        return refusal;
    }
}
