package ai.kull.sync.service.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings every domain service shares, under {@code sync.service.} (env: {@code SYNC_SERVICE_...}). */
@ConfigMapping(prefix = "sync.service")
public interface ServiceConfig {

    /** Name reported by {@code GET /api/sync/status} and tagged on metrics. */
    String name();

    /** The topic this service publishes to and rebuilds its state (and seen Idempotency-Keys) from on start. */
    String stateTopic();

    /**
     * Further topics read like the state topic, from the beginning, before the service is ready (the publish
     * service rebuilds its seen keys from every topic it publishes to).
     */
    Optional<List<String>> alsoRead();

    /** Creating the state topic when it is missing (a fresh cluster, the local stack, tests). */
    TopicSpec createTopic();

    interface TopicSpec {
        /** Create the topic when missing; turn off where topics are managed elsewhere. */
        @WithDefault("true")
        boolean enabled();

        /** Partitions of the created topic. */
        @WithDefault("6")
        int partitions();

        /** Replication factor of the created topic (3 on a production cluster). */
        @WithDefault("1")
        short replication();
    }

    /**
     * Longest a write request waits for the brokers' acknowledgement (including waiting behind another
     * request for the same user or key) before it answers 503. Keep it below callers' HTTP timeouts.
     */
    @WithDefault("8s")
    Duration publishTimeout();

    /** Seconds a caller is told to wait (Retry-After) after a 503. */
    @WithDefault("5")
    int retryAfterSeconds();

    /** Largest request body accepted; larger ones get a JSON 413. */
    @WithDefault("65536")
    int maxBodyBytes();

    /** How many Idempotency-Keys are remembered at most; the oldest are forgotten first. */
    @WithDefault("100000")
    int idempotencyMaxKeys();

    /** How long an Idempotency-Key is remembered; a retry after that publishes again. */
    @WithDefault("24h")
    Duration idempotencyTtl();

    /** HS256 secret (at least 32 bytes) service and user JWTs are signed with. */
    Optional<String> jwtSecret();

    /** PEM RSA/EC public key (contents) that JWTs are signed with, for RS256/ES256 issuers. */
    Optional<String> jwtPublicKey();

    /** Expected {@code iss} claim of JWTs, when set. */
    Optional<String> jwtIssuer();

    /** The JWT {@code groups} entry that makes a caller a trusted service. */
    @WithDefault("sync-service")
    String serviceRole();

    /** The JWT {@code groups} entry of an operator, who may read the admin endpoints (the console's admin token). */
    @WithDefault("sync-admin")
    String adminRole();

    /** API keys accepted in {@code X-Api-Key} as a service credential. */
    Optional<List<String>> apiKeys();

    /** Let a user's own JWT ({@code sub} = userId, no service role) read that user's state. */
    @WithDefault("true")
    boolean userReads();

    /** Accept calls without any credential. For local development only (on in the %dev profile). */
    @WithDefault("false")
    boolean allowAnonymous();
}
