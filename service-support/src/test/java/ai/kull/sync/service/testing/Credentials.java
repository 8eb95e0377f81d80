package ai.kull.sync.service.testing;

import ai.kull.sync.testing.Tokens;

import java.time.Duration;
import java.util.List;

/** Credentials matching the services' %test configuration (see their application.properties). */
public final class Credentials {

    public static final String JWT_SECRET = "test-service-secret-0123456789abcdef";
    public static final String API_KEY = "test-api-key";

    private Credentials() {
    }

    /** A JWT with the {@code sync-service} role. */
    public static String serviceToken() {
        return token("ledger", List.of("sync-service"), JWT_SECRET);
    }

    /** A user's own token (no service role). */
    public static String userToken(String userId) {
        return token(userId, List.of("user"), JWT_SECRET);
    }

    public static String tokenSignedWith(String secret) {
        return token("ledger", List.of("sync-service"), secret);
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String token(String subject, List<String> groups, String secret) {
        return Tokens.hs256(secret, subject, Duration.ofMinutes(10), groups, claims -> { });
    }
}
