package ai.kull.sync.auth;

import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JwtVerifiersTest {

    private static final String SECRET = "a-secret-of-at-least-32-bytes-0123456789";

    private static String sign(Key key, String algorithm, String subject, float minutes, String issuer) throws Exception {
        JwtClaims claims = new JwtClaims();
        if (subject != null) {
            claims.setSubject(subject);
        }
        claims.setExpirationTimeMinutesInTheFuture(minutes);
        if (issuer != null) {
            claims.setIssuer(issuer);
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setKey(key);
        jws.setDoKeyValidation(false); // so the same secret can sign with an algorithm the verifier must refuse
        return jws.getCompactSerialization();
    }

    @Test
    void hs256TokensAreCheckedForSignatureExpirySubjectAndIssuer() throws Exception {
        JwtConsumer verifier = JwtVerifiers.of(Optional.of(SECRET), Optional.empty(), Optional.of("kull"),
                Duration.ZERO, "x").orElseThrow();
        HmacKey key = new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8));

        assertThat(verifier.processToClaims(sign(key, AlgorithmIdentifiers.HMAC_SHA256, "u1", 5, "kull")).getSubject())
                .isEqualTo("u1");
        for (String bad : new String[] {
                sign(key, AlgorithmIdentifiers.HMAC_SHA256, "u1", -5, "kull"),
                sign(key, AlgorithmIdentifiers.HMAC_SHA256, null, 5, "kull"),
                sign(key, AlgorithmIdentifiers.HMAC_SHA256, "u1", 5, "someone-else"),
                sign(new HmacKey((SECRET + "x").getBytes(StandardCharsets.UTF_8)), AlgorithmIdentifiers.HMAC_SHA256,
                        "u1", 5, "kull"),
                sign(new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8)), AlgorithmIdentifiers.HMAC_SHA512, "u1", 5,
                        "kull")}) {
            assertThatThrownBy(() -> verifier.processToClaims(bad)).isInstanceOf(InvalidJwtException.class);
        }
    }

    @Test
    void es256TokensVerifyWithTheConfiguredPublicKeyOnly() throws Exception {
        EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(jwk.getPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----";
        JwtConsumer verifier = JwtVerifiers.of(Optional.empty(), Optional.of(pem), Optional.empty(), Duration.ZERO,
                "x").orElseThrow();

        String token = sign(jwk.getPrivateKey(), AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "u2", 5, null);
        assertThat(verifier.processToClaims(token).getSubject()).isEqualTo("u2");
        String other = sign(EcJwkGenerator.generateJwk(EllipticCurves.P256).getPrivateKey(),
                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "u2", 5, null);
        assertThatThrownBy(() -> verifier.processToClaims(other)).isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void nothingConfiguredMeansNoVerifierAndABadKeyIsNamed() {
        assertThat(JwtVerifiers.of(Optional.empty(), Optional.empty(), Optional.empty(), Duration.ZERO, "x")).isEmpty();
        assertThatThrownBy(() -> JwtVerifiers.of(Optional.empty(), Optional.of("bm90IGEga2V5"), Optional.empty(),
                Duration.ZERO, "gateway.auth.jwt-public-key"))
                .hasMessageContaining("gateway.auth.jwt-public-key");
    }
}
