package ai.kull.sync.service.rest;

import ai.kull.sync.auth.JwtVerifiers;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.error.ApiError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

/**
 * Who may call: a trusted service ({@code X-Api-Key} from the configured list, or a JWT whose {@code groups}
 * hold the service role) may write and read anything; a user's own JWT ({@code sub} = userId) may read that
 * user's state. Missing or invalid credentials are 401, valid ones without the right are 403. With
 * {@code sync.service.allow-anonymous} (dev only) every call passes.
 */
@ApplicationScoped
public class CallerAuth {

    public static final String API_KEY_HEADER = "X-Api-Key";
    static final String ROLES_CLAIM = "groups";

    private final ServiceConfig config;
    private final JwtConsumer jwt;
    private final List<byte[]> apiKeys;

    public CallerAuth(ServiceConfig config) {
        this.config = config;
        this.jwt = JwtVerifiers.of(config.jwtSecret(), config.jwtPublicKey(), config.jwtIssuer(),
                Duration.ofSeconds(30), "sync.service.jwt-public-key").orElse(null);
        this.apiKeys = config.apiKeys().orElse(List.of()).stream()
                .filter(key -> !key.isBlank())
                .map(key -> key.getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    /** Write endpoints: a service credential. */
    public void requireService(HttpHeaders headers) {
        if (config.allowAnonymous() || hasValidApiKey(headers)) {
            return;
        }
        JwtClaims claims = bearerClaims(headers);
        if (!isService(claims)) {
            throw ApiError.forbidden("token lacks the '" + config.serviceRole() + "' role");
        }
    }

    /** Operators' reads (admin endpoints, the console): a service credential or a JWT with the admin role. */
    public void requireServiceOrAdmin(HttpHeaders headers) {
        if (config.allowAnonymous() || hasValidApiKey(headers)) {
            return;
        }
        JwtClaims claims = bearerClaims(headers);
        if (!isService(claims) && !hasRole(claims, config.adminRole())) {
            throw ApiError.forbidden("token lacks the '" + config.adminRole() + "' role");
        }
    }

    /** Reads of one user's state: a service credential, or that user's own token. */
    public void requireServiceOrUser(HttpHeaders headers, String userId) {
        if (config.allowAnonymous() || hasValidApiKey(headers)) {
            return;
        }
        JwtClaims claims = bearerClaims(headers);
        if (isService(claims) || (config.userReads() && userId.equals(subject(claims)))) {
            return;
        }
        throw ApiError.forbidden("token may not read another user's state");
    }

    /** The userId ({@code sub}) of a valid JWT, for endpoints about "my" state; 401 without one. */
    public String requireUser(HttpHeaders headers) {
        String userId = subject(bearerClaims(headers));
        if (userId == null || userId.isBlank()) {
            throw ApiError.unauthorized("token has no sub");
        }
        return userId;
    }

    private boolean hasValidApiKey(HttpHeaders headers) {
        String presented = headers.getHeaderString(API_KEY_HEADER);
        if (presented == null) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        // Constant-time comparison against every key, so timing tells nothing about a near miss.
        boolean match = false;
        for (byte[] key : apiKeys) {
            match |= MessageDigest.isEqual(key, bytes);
        }
        if (!match) {
            throw ApiError.unauthorized("invalid API key");
        }
        return true;
    }

    private JwtClaims bearerClaims(HttpHeaders headers) {
        String authorization = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("a service credential is required (Authorization: Bearer <jwt> or "
                    + API_KEY_HEADER + ")");
        }
        if (jwt == null) {
            throw ApiError.unauthorized("no JWT verification key is configured");
        }
        try {
            return jwt.processToClaims(authorization.substring(7).trim());
        } catch (InvalidJwtException e) {
            throw ApiError.unauthorized(e.hasExpired() ? "token expired" : "invalid token");
        }
    }

    private boolean isService(JwtClaims claims) {
        return hasRole(claims, config.serviceRole());
    }

    private static boolean hasRole(JwtClaims claims, String role) {
        try {
            return claims.hasClaim(ROLES_CLAIM) && (claims.isClaimValueStringList(ROLES_CLAIM)
                    ? claims.getStringListClaimValue(ROLES_CLAIM).contains(role)
                    : role.equals(claims.getStringClaimValue(ROLES_CLAIM)));
        } catch (MalformedClaimException e) {
            throw ApiError.unauthorized("malformed groups claim");
        }
    }

    private static String subject(JwtClaims claims) {
        try {
            return claims.getSubject();
        } catch (MalformedClaimException e) {
            throw ApiError.unauthorized("malformed sub claim");
        }
    }
}
