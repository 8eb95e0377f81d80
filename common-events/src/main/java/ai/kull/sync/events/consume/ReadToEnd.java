package ai.kull.sync.events.consume;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link CatchUpReader#whenReadToEnd}: callbacks that wait until the reader has handed on every record that was
 * in the log when they were added. The end offsets are looked up with an admin client, on its own connections:
 * on the consumer's, a ListOffsets request would queue behind the fetch the broker holds open for up to
 * {@code fetch.max.wait.ms} (500 ms). One lookup is in flight at a time, for every callback added before it
 * was sent; the reader's thread compares its positions with the answer after each poll.
 */
final class ReadToEnd implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReadToEnd.class.getName());

    private record Batch(int start, Map<TopicPartition, Long> ends, List<Runnable> callbacks) {
    }

    private final Supplier<Admin> adminFactory;
    private final String readerName;
    /** Added, not looked up yet. */
    private final ConcurrentLinkedQueue<Runnable> toLookUp = new ConcurrentLinkedQueue<>();
    /** Looked up, not yet taken by the reader's thread. */
    private final ConcurrentLinkedQueue<Batch> lookedUp = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** Waiting for the reader's positions; the reader's thread only. */
    private final List<Batch> waiting = new ArrayList<>();

    /** The partitions assigned at the reader's last start, and which start that was; none before the first. */
    private volatile List<TopicPartition> partitions = List.of();
    private volatile int start;
    private Admin admin;
    private boolean closed;
    /** Set by a failed lookup, cleared by the next that succeeds: one warning per outage, not one per retry. */
    private volatile boolean failing;

    ReadToEnd(Supplier<Admin> adminFactory, String readerName) {
        this.adminFactory = adminFactory;
        this.readerName = readerName;
    }

    void add(Runnable callback) {
        toLookUp.add(callback);
        lookUp();
    }

    /** Whether a callback waits: the reader then polls briefly, so an answer is served within its short timeout. */
    boolean busy() {
        return !toLookUp.isEmpty() || inFlight.get() || !lookedUp.isEmpty() || !waiting.isEmpty();
    }

    /**
     * On the reader's thread, at each (re)start: offsets looked up before mean nothing if the topics were
     * recreated meanwhile, so those callbacks are looked up again.
     */
    void started(List<TopicPartition> assigned, int startCount) {
        partitions = List.copyOf(assigned);
        start = startCount;
        waiting.forEach(batch -> toLookUp.addAll(batch.callbacks()));
        waiting.clear();
        lookUp();
    }

    /** On the reader's thread after each poll: runs the callbacks whose end offsets its positions reached. */
    void serve(Consumer<String, byte[]> kafka) {
        for (Batch batch = lookedUp.poll(); batch != null; batch = lookedUp.poll()) {
            if (batch.start() == start) {
                waiting.add(batch);
            } else {
                toLookUp.addAll(batch.callbacks());
            }
        }
        for (Iterator<Batch> batches = waiting.iterator(); batches.hasNext(); ) {
            Batch batch = batches.next();
            if (reached(kafka, batch.ends())) {
                batches.remove();
                batch.callbacks().forEach(this::run);
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

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close();
        }
    }

    private void lookUp() {
        List<TopicPartition> assigned = partitions;
        if (toLookUp.isEmpty() || assigned.isEmpty() || !inFlight.compareAndSet(false, true)) {
            return;
        }
        List<Runnable> callbacks = new ArrayList<>();
        for (Runnable callback = toLookUp.poll(); callback != null; callback = toLookUp.poll()) {
            callbacks.add(callback);
        }
        int lookedUpAt = start;
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        assigned.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Admin client = admin();
        if (client == null) {
            return; // closed
        }
        client.listOffsets(latest).all().whenComplete((found, failure) -> {
            if (failure != null) {
                if (!failing) {
                    LOG.log(System.Logger.Level.WARNING, "reader " + readerName
                            + ": end offsets not found, retrying after each poll: " + failure);
                }
                failing = true;
                toLookUp.addAll(callbacks);
            } else {
                failing = false;
                Map<TopicPartition, Long> ends = new HashMap<>();
                found.forEach((partition, info) -> ends.put(partition, info.offset()));
                lookedUp.add(new Batch(lookedUpAt, ends, callbacks));
            }
            inFlight.set(false);
            if (failure == null) {
                lookUp(); // those added while this one was in flight
            }
        });
    }

    private synchronized Admin admin() {
        if (closed) {
            return null;
        }
        if (admin == null) {
            admin = adminFactory.get();
        }
        return admin;
    }

    /** One failing callback must not cost the others theirs, nor the reader a restart. */
    private void run(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a read-to-end callback of reader " + readerName + " failed", e);
        }
    }
}
