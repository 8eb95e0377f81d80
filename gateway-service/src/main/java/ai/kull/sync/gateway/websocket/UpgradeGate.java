package ai.kull.sync.gateway.websocket;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.acks.AckStore;
import ai.kull.sync.gateway.admission.AdmissionControl;
import ai.kull.sync.gateway.auth.AuthenticationFailure;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.auth.TokenVerifier;
import ai.kull.sync.gateway.messaging.ConsumerProgress;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.session.SessionDrain;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The gate of every WebSocket endpoint at the HTTP upgrade: refuses upgrades while the pod drains or starts,
 * applies {@link AdmissionControl admission}, has the token verified ({@link TokenVerifier}, package auth) and
 * reads the cursor a device resumes from. An unauthenticated client never gets a session: 401 for a missing, expired, forged or malformed token, 403 when the token is valid but the
 * path names another user or an organization the token does not allow, 429 when the user already has
 * {@code gateway.session.max-per-user} sessions on this pod. The reason is in the {@value #REASON_HEADER}
 * response header. Before the token is even read, 503 with Retry-After when the pod is draining or has
 * admitted {@code gateway.admission.max-new-per-second} upgrades already.
 *
 * <p>A client that adds {@code refusal=close} to the upgrade URL (browsers, which cannot read the status of a
 * refused upgrade) is refused differently: the upgrade is permitted with only an {@link #REFUSAL} in its user
 * data, and the endpoint's open callback closes the connection at once with 4000 + the status
 * ({@link CloseCodes#UPGRADE_UNAUTHORIZED} ...) and the Retry-After seconds in the reason. Either way the
 * refusal is counted once in {@code sync.gateway.upgrades.rejected{status}}, and no slot of the user is held.
 */
@ApplicationScoped
public class UpgradeGate implements HttpUpgradeCheck {

    public static final UserData.TypedKey<DeviceIdentity> IDENTITY = new UserData.TypedKey<>("sync.identity");
    /**
     * The cursor a reconnecting device resumes from: {@code cursor} query parameter or {@value #CURSOR_HEADER}; the
     * literal {@code acked} asks for the device's acknowledged cursor (resolved on open, {@link SyncProtocol}).
     */
    public static final UserData.TypedKey<String> CURSOR = new UserData.TypedKey<>("sync.cursor");
    public static final String CURSOR_HEADER = "X-Sync-Cursor";
    public static final String REASON_HEADER = "X-Sync-Auth-Error";
    /**
     * The upgrade request's headers, which Vert.x keeps with the WebSocket for its whole life although WebSockets
     * Next has copied them into the handshake request: the open callback empties them (about 0.9 KiB a session of
     * header-name copies and entries, issue 15).
     */
    static final UserData.TypedKey<MultiMap> UPGRADE_HEADERS = new UserData.TypedKey<>("sync.upgrade-headers");
    /** Set instead of {@link #IDENTITY} when a refusal=close client was refused: the close to answer on open. */
    public static final UserData.TypedKey<Refusal> REFUSAL = new UserData.TypedKey<>("sync.refusal");

    /** A refused upgrade delivered as a close: the close code (4000 + HTTP status) and its reason. */
    public record Refusal(int closeCode, String reason) {
    }

    private final TokenVerifier verifier;
    private final SessionDrain drain;
    private final ConsumerProgress consumer;
    private final AdmissionControl admission;
    private final GatewayMetrics metrics;
    private final FrameViolationGuard frameGuard;
    private final CompressionNegotiator compression;
    private final AckStore acks;

    public UpgradeGate(TokenVerifier verifier, SessionDrain drain, ConsumerProgress consumer, AdmissionControl admission,
                       GatewayMetrics metrics, FrameViolationGuard frameGuard, CompressionNegotiator compression,
                       AckStore acks) {
        this.acks = acks;
        this.verifier = verifier;
        this.drain = drain;
        this.consumer = consumer;
        this.admission = admission;
        this.metrics = metrics;
        this.frameGuard = frameGuard;
        this.compression = compression;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        boolean byClose = CloseCodes.REFUSAL_BY_CLOSE.equals(context.httpRequest().getParam(CloseCodes.REFUSAL_PARAMETER));
        // The acknowledged cursors too: a cursor=acked resume must not miss one the store has not read yet.
        if (drain.isDraining() || !consumer.isCaughtUp() || !acks.isCaughtUp()) {
            // Draining, or still filling the replay window: the load balancer may not have seen the pod
            // unready yet, so send the device elsewhere.
            String words = drain.isDraining() ? "pod draining, reconnect to another pod"
                    : "pod starting (filling its replay window), reconnect to another pod";
            return reject(context, byClose, 503, 1, words, Map.of("Retry-After", List.of("1")));
        }
        if (!admission.admitNew()) {
            // A reconnect storm: spread the retries over a few seconds even for clients that add no jitter.
            int retryAfter = 1 + ThreadLocalRandom.current().nextInt(5);
            String words = "too many new connections on this pod, retry later";
            return reject(context, byClose, 503, retryAfter, words, Map.of("Retry-After",
                    List.of(String.valueOf(retryAfter)), REASON_HEADER, List.of(words)));
        }
        try {
            DeviceIdentity identity = verifier.verify(TokenVerifier.tokenOf(context.httpRequest()));
            TokenVerifier.authorizePath(identity, context.pathParam("userId"), context.pathParam("orgId"));
            // A refused reservation takes no slot, so a refusal=close connection holds none while it is closed.
            if (!admission.reserve(identity.userId(), context.userData())) {
                String words = "too many connections for this user on this pod";
                return reject(context, byClose, 429, 10, words, Map.of("Retry-After", List.of("10"), REASON_HEADER,
                        List.of(words)));
            }
            context.userData().put(IDENTITY, identity);
            String cursor = context.httpRequest().getHeader(CURSOR_HEADER);
            cursor = cursor != null ? cursor : context.httpRequest().getParam("cursor");
            if (cursor != null) {
                context.userData().put(CURSOR, cursor);
            }
            context.userData().put(UPGRADE_HEADERS, context.httpRequest().headers());
            // In this order: the guard then sits behind the inflater and answers its failures too.
            compression.install(context.httpRequest());
            frameGuard.install(context.httpRequest());
            return CheckResult.permitUpgrade();
        } catch (AuthenticationFailure failure) {
            return reject(context, byClose, failure.status(), null, failure.getMessage(),
                    Map.of(REASON_HEADER, List.of(failure.getMessage())));
        }
    }

    /**
     * Counts the refusal, then answers it with the HTTP status and headers, or, for a refusal=close client,
     * permits the upgrade carrying only the {@link #REFUSAL} the open callback closes with.
     */
    private Uni<CheckResult> reject(HttpUpgradeContext context, boolean byClose, int status, Integer retryAfterSeconds,
                                    String words, Map<String, List<String>> headers) {
        metrics.upgradeRejected(status);
        if (!byClose) {
            return CheckResult.rejectUpgrade(status, headers);
        }
        context.userData().put(REFUSAL, new Refusal(CloseCodes.ofRefusedUpgrade(status),
                CloseCodes.refusalReason(retryAfterSeconds, words)));
        return CheckResult.permitUpgrade();
    }
}
