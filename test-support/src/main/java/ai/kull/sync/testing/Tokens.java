package ai.kull.sync.testing;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** HS256 JWTs as the gateway and the domain services verify them (sub, exp, optional claims). */
public final class Tokens {

    private Tokens() {
    }

    /**
     * A token for {@code subject}, valid for {@code validFor}, with {@code groups} (roles; none when empty) and
     * whatever {@code more} adds (e.g. {@code device}, {@code orgs}), signed with {@code secret}.
     */
    public static String hs256(String secret, String subject, Duration validFor, List<String> groups,
                               Consumer<JwtClaims> more) {
        JwtClaims claims = new JwtClaims();
        claims.setSubject(subject);
        claims.setExpirationTimeMinutesInTheFuture(validFor.toSeconds() / 60f);
        if (!groups.isEmpty()) {
            claims.setStringListClaim("groups", groups);
        }
        more.accept(claims);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)));
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
