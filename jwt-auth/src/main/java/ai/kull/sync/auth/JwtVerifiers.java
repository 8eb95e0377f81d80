package ai.kull.sync.auth;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The one way the platform verifies JWTs, for device tokens at the gateway and service or user tokens at
 * the domain services: signed with an HS256 shared secret, or with an RS256/ES256 key whose public half is
 * configured (PEM); expiry required; issuer checked when configured. Only the configured algorithms are
 * accepted, so a token cannot choose a weaker one ({@code alg: none}, or HS256 with the public key).
 */
public final class JwtVerifiers {

    private JwtVerifiers() {
    }

    /**
     * @param secret       HS256 shared secret; wins over {@code publicKeyPem}
     * @param publicKeyPem PEM RSA or EC public key contents
     * @param settingName  the configuration key of the public key, named in the error when it is not a key
     * @return empty when neither a secret nor a key is configured
     */
    public static Optional<JwtConsumer> of(Optional<String> secret, Optional<String> publicKeyPem,
                                           Optional<String> issuer, Duration clockSkew, String settingName) {
        Key key;
        AlgorithmConstraints algorithms;
        if (secret.isPresent()) {
            key = new HmacKey(secret.get().getBytes(StandardCharsets.UTF_8));
            algorithms = new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                    AlgorithmIdentifiers.HMAC_SHA256);
        } else if (publicKeyPem.isPresent()) {
            key = publicKey(publicKeyPem.get(), settingName);
            algorithms = new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                    AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        } else {
            return Optional.empty();
        }
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) clockSkew.toSeconds())
                .setVerificationKey(key)
                .setJwsAlgorithmConstraints(algorithms)
                .setSkipDefaultAudienceValidation();
        issuer.ifPresent(builder::setExpectedIssuer);
        return Optional.of(builder.build());
    }

    private static Key publicKey(String pem, String settingName) {
        byte[] der = Base64.getMimeDecoder().decode(pem
                .replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "")
                .replaceAll("\\s", ""));
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception notThisAlgorithm) {
                // try the next one
            }
        }
        throw new IllegalArgumentException(settingName + " is neither an RSA nor an EC public key");
    }
}
