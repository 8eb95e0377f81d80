package ai.kull.sync.loadgen;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Device tokens as the gateway verifies them: HS256 JWTs with {@code sub} (userId), {@code device} and {@code exp}. */
final class Tokens {

    private final HmacKey key;
    private final Duration validFor;

    Tokens(String secret, Duration validFor) {
        this.key = new HmacKey(secret.getBytes(StandardCharsets.UTF_8));
        this.validFor = validFor;
    }

    String token(String userId, String deviceId) {
        JwtClaims claims = new JwtClaims();
        claims.setSubject(userId);
        claims.setClaim("device", deviceId);
        claims.setExpirationTimeMinutesInTheFuture(validFor.toSeconds() / 60f);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(key);
        // The gateway's keys are at least 32 bytes; a shorter local secret should still produce a token.
        jws.setDoKeyValidation(false);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a device token", e);
        }
    }
}
