package ai.kull.sync.gateway.admin;

import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.gateway.admission.TokenBucket;
import ai.kull.sync.gateway.auth.AuthenticationFailure;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.auth.TokenVerifier;
import ai.kull.sync.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use the admin API: a JWT (Bearer header only, never a query parameter, so it does not land in access
 * logs) whose {@code groups} claim holds {@code gateway.admin.role}; write actions also need
 * {@code gateway.admin.write-enabled} and {@code gateway.admin.write-role}. A raw dev token is never an admin,
 * whatever the dev flag says. Each caller (token subject) is rate limited.
 */
@ApplicationScoped
public class AdminAccess {

    /** The authenticated operator: the token's subject, for the rate limit and the audit line. */
    public record Caller(String subject) {
    }

    private static final String BEARER = "Bearer ";
    /** Callers whose bucket was last used this long ago are forgotten, so the map stays bounded by activity. */
    private static final long IDLE_BUCKET_NANOS = 10 * 60 * 1_000_000_000L;

    private final TokenVerifier verifier;
    private final GatewayConfig.Admin config;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private record Bucket(TokenBucket bucket, long[] usedAt) {
    }

    public AdminAccess(TokenVerifier verifier, GatewayConfig config) {
        this.verifier = verifier;
        this.config = config.admin();
    }

    /** @throws WebApplicationException 401, 403 or 429 with the {@code {"code","reason"}} body */
    public Caller read(String authorization) {
        return check(authorization, false);
    }

    /** @throws WebApplicationException as {@link #read}, and 403 while write actions are disabled */
    public Caller write(String authorization) {
        return check(authorization, true);
    }

    private Caller check(String authorization, boolean write) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw refusal(401, ErrorPayload.UNAUTHENTICATED, "an admin JWT is required as Authorization: Bearer");
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (!token.contains(".")) {
            throw refusal(401, ErrorPayload.UNAUTHENTICATED, "a raw dev token never grants admin; use a signed JWT");
        }
        DeviceIdentity identity;
        try {
            identity = verifier.verify(token);
        } catch (AuthenticationFailure failure) {
            throw refusal(401, ErrorPayload.UNAUTHENTICATED, failure.getMessage());
        }
        if (!identity.roles().contains(config.role())) {
            throw refusal(403, ErrorPayload.FORBIDDEN, "the token's groups lack the admin role " + config.role());
        }
        if (write && !config.writeEnabled()) {
            throw refusal(403, ErrorPayload.FORBIDDEN, "write actions are disabled on this gateway (gateway.admin.write-enabled)");
        }
        if (write && !identity.roles().contains(config.writeRole())) {
            throw refusal(403, ErrorPayload.FORBIDDEN, "the token's groups lack the write role " + config.writeRole());
        }
        limit(identity.userId());
        return new Caller(identity.userId());
    }

    private void limit(String subject) {
        long now = System.nanoTime();
        if (buckets.size() > 1_000) {
            buckets.values().removeIf(b -> now - b.usedAt()[0] > IDLE_BUCKET_NANOS);
        }
        Bucket bucket = buckets.computeIfAbsent(subject,
                s -> new Bucket(new TokenBucket(config.rate(), config.burst(), now), new long[1]));
        bucket.usedAt()[0] = now;
        if (!bucket.bucket().tryTake(now)) {
            throw new WebApplicationException(Response.status(429).header("Retry-After", "1")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorPayload(ErrorPayload.RATE_LIMITED, "too many admin requests; retry after 1 s"))
                    .build());
        }
    }

    static WebApplicationException refusal(int status, String code, String reason) {
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorPayload(code, reason)).build());
    }
}
