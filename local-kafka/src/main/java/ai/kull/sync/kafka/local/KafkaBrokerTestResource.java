package ai.kull.sync.kafka.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource that gives a {@code @QuarkusTest} a real Kafka broker.
 *
 * <p>By default an in-process {@link LocalKafkaBroker}. Setting {@code KAFKA_BOOTSTRAP_SERVERS}
 * (env) or {@code -Dkafka.external.bootstrap=host:port} points the tests at a broker you run
 * yourself instead (e.g. {@code docker compose up kafka} on a machine with Docker).
 * Dev Services stay off either way: they need Docker.
 */
public class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    private LocalKafkaBroker broker;

    @Override
    public Map<String, String> start() {
        String bootstrap = externalBootstrap();
        if (bootstrap == null) {
            broker = LocalKafkaBroker.startEphemeral();
            bootstrap = broker.bootstrapServers();
        }
        return Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka.devservices.enabled", "false");
    }

    /** The broker chosen outside the build, or {@code null} to start one in-process. */
    public static String externalBootstrap() {
        String fromProperty = System.getProperty("kafka.external.bootstrap");
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty;
        }
        String fromEnv = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
