package ai.kull.sync.service.testing;

import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.kafka.local.LocalKafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real broker on a fixed port and data directory that a test can stop and start again under the running
 * service (same address, same log). The running broker is kept in the JVM's system properties as a plain
 * {@link AutoCloseable}, because Quarkus may load the test resource and the test in different class loaders.
 * Subclasses may {@link #seed} the topics before the service starts, as a previous instance would have.
 */
public class RestartableKafka implements QuarkusTestResourceLifecycleManager {

    private static final String BROKER = "sync.test.broker";
    private static final String PORT = "sync.test.broker.port";
    private static final String DATA_DIR = "sync.test.broker.dir";

    @Override
    public Map<String, String> start() {
        int port = freePort();
        Path dir = tempDir();
        System.setProperty(PORT, String.valueOf(port));
        System.setProperty(DATA_DIR, dir.toString());
        LocalKafkaBroker broker = LocalKafkaBroker.start(port, dir);
        System.getProperties().put(BROKER, broker);
        seed(broker.bootstrapServers());
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false");
    }

    /** Runs before the service starts; nothing by default. */
    protected void seed(String bootstrapServers) {
    }

    /** Records a previous instance of the service wrote, published with acks before this one starts. */
    public interface PreviousWrites {
        void publish(EventPublisher publisher) throws Exception;
    }

    protected static void publishAsPreviousInstance(String bootstrapServers, PreviousWrites writes) {
        try (EventPublisher publisher = new EventPublisher(bootstrapServers)) {
            writes.publish(publisher);
        } catch (Exception e) {
            throw new IllegalStateException("cannot seed the topic", e);
        }
    }

    @Override
    public void stop() {
        stopBroker();
    }

    /** Stops the broker the service uses; {@link #startBroker()} brings it back on the same port and log. */
    public static void stopBroker() {
        Object broker = System.getProperties().remove(BROKER);
        if (broker instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop broker", e);
            }
        }
    }

    public static void startBroker() {
        int port = Integer.parseInt(System.getProperty(PORT));
        LocalKafkaBroker broker = LocalKafkaBroker.start(port, Path.of(System.getProperty(DATA_DIR)));
        System.getProperties().put(BROKER, broker);
    }

    private static int freePort() {
        // The controller listens on port + 1000 (see LocalKafkaBroker.start), so both must be free.
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (port + 1000 < 65536) {
                    try (ServerSocket controller = new ServerSocket(port + 1000)) {
                        return port;
                    } catch (IOException taken) {
                        // try another
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port pair for the broker");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("restartable-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
