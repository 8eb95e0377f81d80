package ai.kull.sync.gateway.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * Authenticates every WebSocket endpoint at the HTTP upgrade, so an unauthenticated client never gets
 * a session: 401 for a missing, expired, forged or malformed token, 403 when the token is valid but the
 * path names another user or an organization the token does not allow. The reason is in the
 * {@value #REASON_HEADER} response header.
 */
@ApplicationScoped
public class UpgradeAuthCheck implements HttpUpgradeCheck {

    public static final UserData.TypedKey<DeviceIdentity> IDENTITY = new UserData.TypedKey<>("sync.identity");
    public static final String REASON_HEADER = "X-Sync-Auth-Error";
    public static final String TOKEN_QUERY_PARAM = "token";

    private static final String BEARER = "Bearer ";

    private final TokenVerifier verifier;
    private final MeterRegistry metrics;

    public UpgradeAuthCheck(TokenVerifier verifier, MeterRegistry metrics) {
        this.verifier = verifier;
        this.metrics = metrics;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        try {
            DeviceIdentity identity = verifier.verify(token(context.httpRequest()));
            authorizePath(identity, context);
            context.userData().put(IDENTITY, identity);
            return CheckResult.permitUpgrade();
        } catch (AuthenticationFailure failure) {
            metrics.counter("sync.gateway.upgrades.rejected", "status", String.valueOf(failure.status())).increment();
            return CheckResult.rejectUpgrade(failure.status(), Map.of(REASON_HEADER, List.of(failure.getMessage())));
        }
    }

    /** Browsers cannot set headers on a WebSocket, so the token may also come as a query parameter. */
    private static String token(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).trim();
        }
        return request.getParam(TOKEN_QUERY_PARAM);
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
