package ai.kull.sync.kafka.local;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link LocalKafkaBroker} as its own process: the local stack and the multi-process tests
 * start it with {@code java -cp ... ai.kull.sync.kafka.local.LocalKafkaMain}.
 *
 * <p>Environment: {@code KAFKA_PORT} (default 9092), {@code KAFKA_DATA_DIR} (default
 * {@code target/local-kafka-data}). Prints {@code LOCAL_KAFKA_READY <bootstrap>} on stdout once
 * the broker accepts clients, and shuts down cleanly on SIGTERM / Ctrl-C.
 */
public final class LocalKafkaMain {

    public static final String READY_LINE = "LOCAL_KAFKA_READY";

    private LocalKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(env("KAFKA_PORT", "9092"));
        Path dataDir = Path.of(env("KAFKA_DATA_DIR", "target/local-kafka-data"));
        LocalKafkaBroker broker = LocalKafkaBroker.start(port, dataDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "local-kafka-shutdown"));
        System.out.println(READY_LINE + " " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
