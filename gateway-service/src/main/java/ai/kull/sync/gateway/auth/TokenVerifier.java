package ai.kull.sync.gateway.auth;

import ai.kull.sync.auth.JwtVerifiers;
import ai.kull.sync.events.Limits;
import ai.kull.sync.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns a device token into a {@link DeviceIdentity}, or says why it cannot.
 *
 * <p>Tokens are JWTs signed with the configured HS256 secret or RS256/ES256 public key. Claims:
 * {@code sub} (userId, required), {@code exp} (required), {@code device} (deviceId; web sessions
 * without one get a generated id), {@code platform}, {@code deviceName}, {@code orgs} (org ids the
 * session may join, {@code *} for all) and {@code groups} (roles, MicroProfile JWT's name).
 *
 * <p>Dev tokens ({@code userId} or {@code userId:deviceId}, only with {@code gateway.auth.dev-tokens}) carry no
 * claims: their platform is the connection's {@code platform} query parameter (e.g. {@code ios}), else "web" for a
 * browser (a User-Agent starting {@code Mozilla/}) or a token without a device, else "unknown".
 */
@ApplicationScoped
public class TokenVerifier {

    static final String DEVICE_CLAIM = "device";
    static final String PLATFORM_CLAIM = "platform";
    static final String DEVICE_NAME_CLAIM = "deviceName";
    static final String ORGS_CLAIM = "orgs";
    static final String ROLES_CLAIM = "groups";

    private static final Pattern ID = Pattern.compile(Limits.ID_PATTERN);
    private static final String BEARER = "Bearer ";
    private static final String TOKEN_QUERY_PARAM = "token";
    static final String PLATFORM_QUERY_PARAM = "platform";
    /** How every browser's User-Agent starts. */
    private static final String BROWSER_AGENT = "Mozilla/";

    private final JwtConsumer jwtConsumer;
    private final boolean devTokens;

    public TokenVerifier(GatewayConfig config) {
        this.jwtConsumer = JwtVerifiers.of(config.auth().jwtSecret(), config.auth().jwtPublicKey(),
                config.auth().issuer(), config.auth().clockSkew(), "gateway.auth.jwt-public-key").orElse(null);
        this.devTokens = config.auth().devTokens();
    }

    /** The token of a request: a Bearer Authorization header, or (browsers cannot set headers on a WebSocket) the {@code token} query parameter. */
    public static String tokenOf(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).trim();
        }
        return request.getParam(TOKEN_QUERY_PARAM);
    }

    /**
     * Whether the identity may use an endpoint path: a path's userId must be the token's, a path's organization
     * one the token allows.
     *
     * @param pathUser the userId the path names, or null
     * @param pathOrg  the organization the path names, or null
     */
    public static void authorizePath(DeviceIdentity identity, String pathUser, String pathOrg) throws AuthenticationFailure {
        if (pathUser != null && !pathUser.equals(identity.userId())) {
            throw AuthenticationFailure.forbidden("path userId does not match the token");
        }
        if (pathOrg != null && !identity.mayJoinOrg(pathOrg)) {
            throw AuthenticationFailure.forbidden("token does not allow organization " + pathOrg);
        }
    }

    /** The identity a connection's token ({@link #tokenOf}) proves; a dev token's platform comes from the request. */
    public DeviceIdentity verify(HttpServerRequest request) throws AuthenticationFailure {
        return verify(tokenOf(request), request.getParam(PLATFORM_QUERY_PARAM), request.getHeader("User-Agent"));
    }

    public DeviceIdentity verify(String token) throws AuthenticationFailure {
        return verify(token, null, null);
    }

    /**
     * @param platform  a dev token's platform (the {@code platform} query parameter), or null
     * @param userAgent the request's User-Agent, or null: a browser's makes a dev token's platform "web"
     */
    DeviceIdentity verify(String token, String platform, String userAgent) throws AuthenticationFailure {
        if (token == null || token.isBlank()) {
            throw AuthenticationFailure.unauthorized("missing token");
        }
        if (devTokens && !token.contains(".")) {
            return devIdentity(token, platform, userAgent);
        }
        if (jwtConsumer == null) {
            throw AuthenticationFailure.unauthorized("no token verification key is configured");
        }
        try {
            return identity(jwtConsumer.processToClaims(token));
        } catch (InvalidJwtException e) {
            throw AuthenticationFailure.unauthorized(reason(e));
        } catch (MalformedClaimException e) {
            throw AuthenticationFailure.unauthorized("malformed claim: " + e.getMessage());
        }
    }

    private static String reason(InvalidJwtException e) {
        if (e.hasExpired()) {
            return "token expired";
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return "invalid signature";
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID)) {
            return "wrong issuer";
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) || e.hasErrorCode(ErrorCodes.SUBJECT_MISSING)) {
            return "token lacks exp or sub";
        }
        return "malformed or unverifiable token";
    }

    private static DeviceIdentity identity(JwtClaims claims) throws MalformedClaimException, AuthenticationFailure {
        String userId = requireId(claims.getSubject(), "sub");
        String device = claims.getStringClaimValue(DEVICE_CLAIM);
        String deviceId = device == null ? generatedWebDeviceId() : requireId(device, DEVICE_CLAIM);
        return new DeviceIdentity(userId, deviceId,
                orDefault(claims.getStringClaimValue(PLATFORM_CLAIM), device == null ? "web" : "unknown"),
                orDefault(claims.getStringClaimValue(DEVICE_NAME_CLAIM), deviceId),
                stringSet(claims, ORGS_CLAIM), stringSet(claims, ROLES_CLAIM));
    }

    /** The seeds' {@code userId} or {@code userId:deviceId}, trusted as is: only with the dev flag on. */
    private static DeviceIdentity devIdentity(String token, String platform, String userAgent)
            throws AuthenticationFailure {
        int colon = token.indexOf(':');
        String userId = requireId(colon < 0 ? token : token.substring(0, colon), "token user");
        String deviceId = colon < 0 ? generatedWebDeviceId() : requireId(token.substring(colon + 1), "token device");
        boolean browser = userAgent != null && userAgent.startsWith(BROWSER_AGENT);
        String shownPlatform = platform != null ? requireId(platform, PLATFORM_QUERY_PARAM + " parameter")
                : colon < 0 || browser ? "web" : "unknown";
        return new DeviceIdentity(userId, deviceId, shownPlatform, deviceId, Set.of("*"), Set.of());
    }

    private static String requireId(String value, String claim) throws AuthenticationFailure {
        if (value == null || value.isEmpty() || value.length() > Limits.ID_MAX || !ID.matcher(value).matches()) {
            throw AuthenticationFailure.unauthorized("invalid " + claim);
        }
        return value;
    }

    private static Set<String> stringSet(JwtClaims claims, String name) throws MalformedClaimException {
        if (!claims.hasClaim(name)) {
            return Set.of();
        }
        List<String> values = claims.isClaimValueStringList(name)
                ? claims.getStringListClaimValue(name)
                : List.of(claims.getStringClaimValue(name));
        return Set.copyOf(new HashSet<>(values));
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String generatedWebDeviceId() {
        return "web-" + UUID.randomUUID();
    }
}
