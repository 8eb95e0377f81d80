package ai.kull.sync.events.consume;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link CatchUpReader#whenReadToEnd}: callbacks that wait until the reader has handed on every record that was
 * in the log when they were added. The end offsets are looked up with the reader's admin client, on its own
 * connections: on the consumer's, a ListOffsets request would queue behind the fetch the broker holds open for up
 * to {@code fetch.max.wait.ms} (500 ms). One lookup is in flight at a time, for every callback added before it was
 * sent; the reader's thread compares its positions with the answer after each poll.
 * <p>
 * A callback still waiting after {@link #GIVE_UP_AFTER} (the broker does not answer, a partition has no leader,
 * the log was truncated) runs anyway, with a warning: a caller must never wait forever on a broker's health.
 */
final class ReadToEnd {

    private static final System.Logger LOG = System.getLogger(ReadToEnd.class.getName());
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(5);
    /** After a failed lookup, the next waits this long: a fast failure must not turn 5 ms polls into a request loop. */
    private static final long RETRY_AFTER_NANOS = Duration.ofMillis(100).toNanos();

    /** {@code callback} is told whether the end was reached (false: given up on). */
    private record Waiter(java.util.function.Consumer<Boolean> callback, long addedAtNanos) {
    }

    /** What a lookup needs, from one (re)start of the reader, published at once. */
    private record Reading(int start, List<TopicPartition> partitions, Admin admin) {
    }

    private record Batch(int start, Map<TopicPartition, Long> ends, List<Waiter> waiters) {
    }

    private final String readerName;
    /** Added, not looked up yet. */
    private final ConcurrentLinkedQueue<Waiter> toLookUp = new ConcurrentLinkedQueue<>();
    /** Looked up, or given up on, not yet taken by the reader's thread. */
    private final ConcurrentLinkedQueue<Batch> lookedUp = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** Waiting for the reader's positions; the reader's thread only. */
    private final List<Batch> waiting = new ArrayList<>();

    /** Null before the reader's first start. */
    private volatile Reading reading;
    /** {@link System#nanoTime()} of the last failed lookup, 0 after one succeeded: one warning per outage. */
    private volatile long failedAtNanos;

    ReadToEnd(String readerName) {
        this.readerName = readerName;
    }

    void add(java.util.function.Consumer<Boolean> callback) {
        toLookUp.add(new Waiter(callback, System.nanoTime()));
        lookUp();
    }

    /** Whether a callback waits: the reader then polls briefly, so an answer is served within its short timeout. */
    boolean busy() {
        return !toLookUp.isEmpty() || inFlight.get() || !lookedUp.isEmpty() || !waiting.isEmpty();
    }

    /**
     * On the reader's thread, at each (re)start, with the admin client of that start: offsets looked up before
     * mean nothing if the topics were recreated meanwhile, so those callbacks are looked up again.
     */
    void started(int start, List<TopicPartition> partitions, Admin admin) {
        reading = new Reading(start, List.copyOf(partitions), admin);
        waiting.forEach(batch -> toLookUp.addAll(batch.waiters()));
        waiting.clear();
        lookUp();
    }

    /** On the reader's thread after each poll: runs the callbacks whose end offsets its positions reached. */
    void serve(Consumer<String, byte[]> kafka) {
        if (!busy()) {
            return; // the usual poll: nothing to look at
        }
        int start = reading.start();
        for (Batch batch = lookedUp.poll(); batch != null; batch = lookedUp.poll()) {
            if (batch.ends() == null || batch.start() == start) {
                waiting.add(batch);
            } else {
                toLookUp.addAll(batch.waiters());
            }
        }
        long givingUpBefore = System.nanoTime() - GIVE_UP_AFTER.toNanos();
        for (Iterator<Batch> batches = waiting.iterator(); batches.hasNext(); ) {
            Batch batch = batches.next();
            if (batch.ends() != null && reached(kafka, batch.ends())) {
                batches.remove();
                batch.waiters().forEach(waiter -> run(waiter.callback(), true));
                continue;
            }
            List<Waiter> givenUp = new ArrayList<>();
            batch.waiters().removeIf(waiter -> waiter.addedAtNanos() < givingUpBefore && givenUp.add(waiter));
            if (!givenUp.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "reader " + readerName + ": " + givenUp.size()
                        + " read-to-end callback(s) run without having reached the log's end within "
                        + GIVE_UP_AFTER.toSeconds() + " s");
                givenUp.forEach(waiter -> run(waiter.callback(), false));
            }
            if (batch.waiters().isEmpty()) {
                batches.remove();
            }
        }
        lookUp(); // retries after a failed lookup
    }

    /** Whether every position reached its end offset. */
    static boolean reached(Consumer<String, byte[]> kafka, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (kafka.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void lookUp() {
        Reading current = reading;
        long failedAt = failedAtNanos;
        if (current == null || toLookUp.isEmpty()
                || (failedAt != 0 && System.nanoTime() - failedAt < RETRY_AFTER_NANOS)
                || !inFlight.compareAndSet(false, true)) {
            return;
        }
        List<Waiter> waiters = new ArrayList<>();
        for (Waiter waiter = toLookUp.poll(); waiter != null; waiter = toLookUp.poll()) {
            waiters.add(waiter);
        }
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            current.partitions().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            // Its own timeout: the waiters of a lookup that hangs are given up on when it fails.
            ListOffsetsOptions options = new ListOffsetsOptions().timeoutMs((int) GIVE_UP_AFTER.toMillis());
            current.admin().listOffsets(latest, options).all().whenComplete((found, failure) -> {
                if (failure == null) {
                    failedAtNanos = 0;
                    Map<TopicPartition, Long> ends = new HashMap<>();
                    found.forEach((partition, info) -> ends.put(partition, info.offset()));
                    lookedUp.add(new Batch(current.start(), ends, waiters));
                } else {
                    failed(waiters, failure);
                }
                inFlight.set(false);
                lookUp(); // those added while this one was in flight
            });
        } catch (RuntimeException e) {
            failed(waiters, e);
            inFlight.set(false);
        }
    }

    /**
     * The waiters are looked up again after a pause, but those already waiting longer than {@link #GIVE_UP_AFTER}
     * go to the reader as a batch without end offsets, which it gives up on.
     */
    private void failed(List<Waiter> waiters, Throwable failure) {
        if (failedAtNanos == 0) {
            LOG.log(System.Logger.Level.WARNING, "reader " + readerName + ": end offsets not found, retrying: " + failure);
        }
        failedAtNanos = System.nanoTime();
        long givingUpBefore = System.nanoTime() - GIVE_UP_AFTER.toNanos();
        List<Waiter> givenUp = new ArrayList<>();
        for (Waiter waiter : waiters) {
            (waiter.addedAtNanos() < givingUpBefore ? givenUp : toLookUp).add(waiter);
        }
        if (!givenUp.isEmpty()) {
            lookedUp.add(new Batch(-1, null, givenUp));
        }
    }

    /** One failing callback must not cost the others theirs, nor the reader a restart. */
    private void run(java.util.function.Consumer<Boolean> callback, boolean reachedEnd) {
        try {
            callback.accept(reachedEnd);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a read-to-end callback of reader " + readerName + " failed", e);
        }
    }
}
