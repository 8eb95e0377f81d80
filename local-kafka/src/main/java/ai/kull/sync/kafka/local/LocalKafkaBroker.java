package ai.kull.sync.kafka.local;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real single-node Kafka broker (KRaft, broker + controller in one JVM) on loopback.
 *
 * <p>Used in-process by tests and, through {@link LocalKafkaMain}, as its own process for the
 * local stack and multi-process tests. It is the same broker code as production Kafka
 * (kafka_2.13), only with replication factor 1, so tests never run against a fake.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    /** Partitions of auto-created topics: more than one, so per-key ordering is really exercised. */
    public static final int DEFAULT_PARTITIONS = 6;

    // A fixed cluster id lets a broker restart on the same data directory (format is skipped).
    private static final String CLUSTER_ID = "kull-sync-local-0001";

    private final EmbeddedKafkaBroker broker;

    private LocalKafkaBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** Starts a throw-away broker on a free port; its data is deleted on close. */
    public static LocalKafkaBroker startEphemeral() {
        return start(0, null);
    }

    /**
     * Starts a broker.
     *
     * @param port    the client port, 0 for any free port
     * @param dataDir where the log lives; kept on close so a restart finds its data. {@code null}
     *                for a temporary directory deleted on close.
     */
    public static LocalKafkaBroker start(int port, Path dataDir) {
        boolean ephemeral = dataDir == null;
        Path logDir = ephemeral ? tempDir() : dataDir;
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(port)
                .withClusterId(CLUSTER_ID)
                .withDeleteLogDirsOnClose(ephemeral)
                .withAdditionalProperties(props -> configure(props, logDir));
        if (!ephemeral) {
            // A restarted broker must keep its controller port, since the quorum voters
            // are stored in the formatted metadata log.
            broker.withControllerPort(port + 1000);
        }
        return new LocalKafkaBroker(broker.start());
    }

    private static void configure(Properties props, Path logDir) {
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", String.valueOf(DEFAULT_PARTITIONS));
        props.put("auto.create.topics.enable", "true");
        props.put("offsets.topic.num.partitions", "1");
        // Small, fast-starting broker: the defaults are tuned for big machines.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("local-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        String listeners = broker.getAdvertisedListeners();
        // "PLAINTEXT://127.0.0.1:1234" or a list; clients want host:port pairs.
        return listeners.replaceAll("[A-Z_]+://", "");
    }

    public boolean isRunning() {
        return broker.isRunning();
    }

    @Override
    public void close() {
        broker.close();
    }
}
