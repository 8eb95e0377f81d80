package ai.kull.sync.loadgen;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The events of one group of users ({@code prefix + first} to {@code prefix + (first + users - 1)}), numbered per user: one
 * publisher after another may publish to them (a storm's, then the run's), each continuing the numbering, each
 * acknowledged event entered in the ledger.
 */
final class UserEvents {

    private final EventSource source;
    private final DeliveryLedger ledger;
    private final String prefix;
    private final int first;
    /** The last sequence number published per user; publishers run one after the other. */
    private final long[] seqs;
    final LongAdder published = new LongAdder();
    final LongAdder failures = new LongAdder();

    UserEvents(EventSource source, DeliveryLedger ledger, String prefix, int users) {
        this(source, ledger, prefix, 0, users);
    }

    UserEvents(EventSource source, DeliveryLedger ledger, String prefix, int first, int users) {
        this.source = source;
        this.ledger = ledger;
        this.prefix = prefix;
        this.first = first;
        this.seqs = new long[users];
    }

    /** Starts publishing round-robin over the users at {@code rate} events per second on its own thread. */
    Publisher start(double rate) {
        return new Publisher(rate, Long.MAX_VALUE);
    }

    /** The same, {@code count} events and no more ({@link Publisher#sending} ends after the last). */
    Publisher start(double rate, long count) {
        return new Publisher(rate, count);
    }

    /** One publishing thread; {@link #stop} before starting the next. */
    final class Publisher {
        /** How long {@link #stop} waits for the answers to the sends in flight (the producer retries within it). */
        private static final Duration ANSWERS_TIMEOUT = Duration.ofSeconds(60);
        private final Thread thread;
        private final LongAdder inFlight = new LongAdder();
        private volatile boolean running = true;

        private Publisher(double rate, long count) {
            thread = new Thread(() -> {
                long started = System.nanoTime();
                long sent = 0;
                int user = 0;
                while (running && sent < count) {
                    long due = (long) ((System.nanoTime() - started) / 1e9 * rate);
                    if (sent >= due) {
                        sleepMicros(200);
                        continue;
                    }
                    while (sent < Math.min(due, count) && running) {
                        String userId = prefix + (first + user);
                        long seq = ++seqs[user];
                        inFlight.increment();
                        source.publish(userId, seq).whenComplete((ok, failure) -> {
                            if (failure == null) {
                                ledger.acknowledged(userId, seq);
                                published.increment();
                            } else {
                                failures.increment();
                            }
                            inFlight.decrement();
                        });
                        sent++;
                        user = (user + 1) % seqs.length;
                    }
                }
            }, "loadgen-publisher-" + prefix);
            thread.start();
        }

        /** Whether it still has events to send. */
        boolean sending() {
            return thread.isAlive();
        }

        /**
         * Stops publishing and waits until every send has been answered. An acknowledgement arriving after the
         * drain had counted what to expect made its event count as lost (2 and 4 events in 2 of 9 scale-out runs).
         */
        void stop() throws InterruptedException {
            running = false;
            thread.join();
            LoadRun.waitFor(() -> inFlight.sum() == 0, ANSWERS_TIMEOUT,
                    () -> LoadRun.progress("stop", "sends in flight=%d", inFlight.sum()));
        }
    }

    private static void sleepMicros(long micros) {
        try {
            Thread.sleep(0, (int) (micros * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
