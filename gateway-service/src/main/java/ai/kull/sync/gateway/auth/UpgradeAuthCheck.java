package ai.kull.sync.gateway.auth;

import ai.kull.sync.gateway.messaging.EventConsumer;
import ai.kull.sync.gateway.session.SessionDrain;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Authenticates every WebSocket endpoint at the HTTP upgrade, so an unauthenticated client never gets
 * a session: 401 for a missing, expired, forged or malformed token, 403 when the token is valid but the
 * path names another user or an organization the token does not allow, 429 when the user already has
 * {@code gateway.session.max-per-user} sessions on this pod. The reason is in the {@value #REASON_HEADER}
 * response header. Before the token is even read, 503 with Retry-After when the pod is draining or has
 * admitted {@code gateway.admission.max-new-per-second} upgrades already.
 */
@ApplicationScoped
public class UpgradeAuthCheck implements HttpUpgradeCheck {

    public static final UserData.TypedKey<DeviceIdentity> IDENTITY = new UserData.TypedKey<>("sync.identity");
    /** The cursor a reconnecting device resumes from: {@code cursor} query parameter or {@value #CURSOR_HEADER}. */
    public static final UserData.TypedKey<String> CURSOR = new UserData.TypedKey<>("sync.cursor");
    public static final String CURSOR_HEADER = "X-Sync-Cursor";
    public static final String REASON_HEADER = "X-Sync-Auth-Error";

    private final TokenVerifier verifier;
    private final SessionDrain drain;
    private final EventConsumer consumer;
    private final AdmissionControl admission;
    private final MeterRegistry metrics;

    public UpgradeAuthCheck(TokenVerifier verifier, SessionDrain drain, EventConsumer consumer,
                            AdmissionControl admission, MeterRegistry metrics) {
        this.verifier = verifier;
        this.drain = drain;
        this.consumer = consumer;
        this.admission = admission;
        this.metrics = metrics;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (drain.isDraining() || !consumer.progress().isCaughtUp()) {
            // Draining, or still filling the replay window: the load balancer may not have seen the pod
            // unready yet, so send the device elsewhere.
            return reject(503, Map.of("Retry-After", List.of("1")));
        }
        if (!admission.admitNew()) {
            // A reconnect storm: spread the retries over a few seconds even for clients that add no jitter.
            String retryAfter = String.valueOf(1 + ThreadLocalRandom.current().nextInt(5));
            return reject(503, Map.of("Retry-After", List.of(retryAfter), REASON_HEADER,
                    List.of("too many new connections on this pod, retry later")));
        }
        try {
            DeviceIdentity identity = verifier.verify(TokenVerifier.tokenOf(context.httpRequest()));
            authorizePath(identity, context);
            if (!admission.reserve(identity.userId(), context.userData())) {
                return reject(429, Map.of("Retry-After", List.of("10"), REASON_HEADER,
                        List.of("too many connections for this user on this pod")));
            }
            context.userData().put(IDENTITY, identity);
            String cursor = context.httpRequest().getHeader(CURSOR_HEADER);
            cursor = cursor != null ? cursor : context.httpRequest().getParam("cursor");
            if (cursor != null) {
                context.userData().put(CURSOR, cursor);
            }
            return CheckResult.permitUpgrade();
        } catch (AuthenticationFailure failure) {
            return reject(failure.status(), Map.of(REASON_HEADER, List.of(failure.getMessage())));
        }
    }

    private Uni<CheckResult> reject(int status, Map<String, List<String>> headers) {
        metrics.counter("sync.gateway.upgrades.rejected", "status", String.valueOf(status)).increment();
        return CheckResult.rejectUpgrade(status, headers);
    }

    private static void authorizePath(DeviceIdentity identity, HttpUpgradeContext context) throws AuthenticationFailure {
        String pathUser = context.pathParam("userId");
        if (pathUser != null && !pathUser.equals(identity.userId())) {
            throw AuthenticationFailure.forbidden("path userId does not match the token");
        }
        String pathOrg = context.pathParam("orgId");
        if (pathOrg != null && !identity.mayJoinOrg(pathOrg)) {
            throw AuthenticationFailure.forbidden("token does not allow organization " + pathOrg);
        }
    }
}
