package ai.kull.sync.gateway.config;

import ai.kull.sync.events.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every gateway setting, under the {@code gateway.} prefix (env: {@code GATEWAY_...}). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** This pod's id, unique among live pods (Kubernetes: the pod name). Default: a random id per JVM. */
    Optional<String> podId();

    Auth auth();

    Kafka kafka();

    /** How often the server pings each session (WebSocket ping frames); also told to clients on connect. */
    @WithDefault("20s")
    Duration heartbeatInterval();

    interface Auth {
        /** HS256 shared secret (at least 32 bytes) that device tokens are signed with. */
        Optional<String> jwtSecret();

        /** PEM RSA/EC public key (contents) that device tokens are signed with, for RS256/ES256 issuers. */
        Optional<String> jwtPublicKey();

        /** Expected {@code iss} claim, when set. */
        Optional<String> issuer();

        /** Accept the seeds' raw {@code userId} / {@code userId:deviceId} tokens. Local development only. */
        @WithDefault("false")
        boolean devTokens();

        /** Clock skew tolerated on exp/nbf. */
        @WithDefault("30s")
        Duration clockSkew();
    }

    interface Kafka {
        /** The topics whose records are delivered to devices. */
        @WithDefault(Topics.SHOOT_PROGRESS + "," + Topics.CREDIT_UPDATES + "," + Topics.PROMPT_CHANGES + ","
                + Topics.ORG_EVENTS + "," + Topics.USER_EVENTS)
        List<String> eventTopics();

        /** Create missing topics at start (local stacks, tests); off where topics are managed elsewhere. */
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of topics this pod creates. */
        @WithDefault("6")
        int topicPartitions();

        /** Replication factor of topics this pod creates (3 on a production cluster). */
        @WithDefault("1")
        short topicReplication();

        /** Max records per poll. */
        @WithDefault("2000")
        int maxPollRecords();
    }
}
