package ai.kull.sync.testing;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;

/**
 * Awaitility with the project's deadlines: generous (a shared two-core box running several builds must not fail
 * a correct test), polled often (a fast machine does not wait for nothing). What a test waits for is its own;
 * how long at most is decided here once.
 */
public final class Waits {

    /** The longest a test waits for something that normally takes milliseconds to seconds. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(50);

    private Waits() {
    }

    /**
     * {@code await()} with {@link #PATIENCE} at most, polling every 50 ms on the calling thread (conditions may
     * use what is not thread-safe, e.g. a KafkaConsumer the test owns).
     */
    public static ConditionFactory await() {
        return patient(Awaitility.await());
    }

    /** {@link #await()} named in the failure message. */
    public static ConditionFactory await(String what) {
        return patient(Awaitility.await(what));
    }

    private static ConditionFactory patient(ConditionFactory factory) {
        return factory.atMost(PATIENCE).pollInterval(POLL).pollDelay(Duration.ZERO).pollInSameThread();
    }
}
