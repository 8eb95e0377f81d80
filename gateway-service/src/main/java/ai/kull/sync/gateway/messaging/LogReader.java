package ai.kull.sync.gateway.messaging;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads stretches of the event topics that the replay window no longer holds, for devices resuming from further
 * back: the durable log is the resume horizon, the window only its fast path.
 * <p>
 * Bounded on every side, so a resume storm queues instead of exhausting the pod: {@code readers} threads, each
 * with its own consumer (fetch buffers of {@code fetchBytes}); the records a read keeps count against a shared
 * {@code bufferBytes} until its reader of the results {@link Result#release() releases} them. A read that finds
 * the budget spent stops where it is (its result says how far it got), and one that got nothing waits in the queue
 * until budget is released. Reads are shared: a reader takes every request queued when it starts a pass and reads
 * each partition once for all of them, from the lowest offset any of them asks, decoding each record once.
 * <p>
 * No group, nothing committed: like the pod's own consumer, a log reader only assigns and seeks.
 */
public final class LogReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LogReader.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** A pass that gets no record and no position change for this long fails its requests (broker gone). */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a reader that found one request waits for more before it starts its pass: a resume storm's requests
     * arrive spread over the upgrades' admission, and every one that joins shares the pass's reads. With 20 ms, 200
     * devices resuming from 25 s back took 272 passes and read 2,378 records each (bench deep-resume, 2026-12-07);
     * a resume that needs the log is one from minutes or hours back, for which 0.1 s more is nothing.
     */
    private static final long LINGER_MILLIS = 100;
    /** A reader does not linger when this many requests are queued already (a storm fills its passes by itself). */
    private static final int LINGER_WHILE_FEWER = 64;
    /** A consumer that failed is replaced after this pause, so a broker outage is not a busy loop. */
    private static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);

    /**
     * Offsets {@code [from, until)} of one partition.
     *
     * @param byKey whether the request wants only records whose key is one of its {@link Request#keys()} there (a
     *              partition keyed by userId or orgId), so a record is offered only to the requests of its key
     */
    public record Range(long from, long until, boolean byKey) {

        /** A range whose every record is offered (e.g. a broadcast topic's, keyed by an aggregate id). */
        public Range(long from, long until) {
            this(from, until, false);
        }
    }

    /**
     * What one replay wants read.
     *
     * @param ranges   per partition, the offsets to read
     * @param keys     the record keys the request may want on partitions read {@link Range#byKey by key}
     * @param decode   what a record is to the replay, or null when it is nothing (read only key and headers);
     *                 called on a reader's thread, once per record for every request of a pass with the same
     *                 function, so it must be safe there and hold no state of one request
     * @param wants    whether this request keeps a decoded record
     * @param maxBytes the most record bytes (key and value) the result may hold; reading stops after the record
     *                 that reaches it, and the result says where
     * @param done     called once on a reader's thread with the result
     */
    public record Request<T>(Map<TopicPartition, Range> ranges, Set<String> keys,
                             Function<ConsumerRecord<String, byte[]>, T> decode,
                             Predicate<T> wants, long maxBytes, java.util.function.Consumer<Result<T>> done) {
    }

    /**
     * What a read found.
     *
     * @param items     the wanted records, per partition in offset order, partitions merged by record timestamp
     * @param reached   per partition, the offset after the last one read: the range's {@code until} when all of it was
     * @param truncated a partition whose log starts above the range's {@code from} (retention deleted what was asked),
     *                  or null; then {@code items} is empty
     * @param logStart  the first offset that partition still holds
     * @param failure   why the log could not be read, or null
     */
    public record Result<T>(List<T> items, Map<TopicPartition, Long> reached, TopicPartition truncated, long logStart,
                            String failure, Runnable release) {

        public boolean complete(Map<TopicPartition, Range> asked) {
            return failure == null && truncated == null
                    && asked.entrySet().stream().allMatch(e -> reached.getOrDefault(e.getKey(), -1L) >= e.getValue().until());
        }
    }

    private final Map<String, Object> kafka;
    private final long bufferBytes;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Consumer<String, byte[]>> consumers = new ArrayList<>();
    private final ArrayDeque<Request<?>> queue = new ArrayDeque<>();
    /** Bytes of records kept by reads and not released yet; guarded by {@link #queue}. */
    private long reserved;
    /** A read found the budget spent and got nothing: no pass until some is released; guarded by {@link #queue}. */
    private boolean starved;
    private volatile boolean closed;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong requestsRead = new AtomicLong();

    /**
     * @param kafka       client settings; bootstrap servers and security are taken, group settings ignored
     * @param readers     consumers reading at once
     * @param fetchBytes  each consumer's fetch buffer ({@code fetch.max.bytes}, {@code max.partition.fetch.bytes})
     * @param bufferBytes results held at once, over every request
     */
    public LogReader(Map<String, Object> kafka, String clientId, int readers, int fetchBytes, long bufferBytes) {
        this.bufferBytes = bufferBytes;
        this.kafka = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                this.kafka.put(key, value);
            }
        });
        this.kafka.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.kafka.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.kafka.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.kafka.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        this.kafka.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchBytes);
        this.kafka.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetchBytes);
        for (int i = 0; i < readers; i++) {
            String name = clientId + "-log-" + i;
            Thread thread = new Thread(() -> run(name), name);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    public LogReader start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** Queues a read; its {@code done} runs on a reader's thread. */
    public void read(Request<?> request) {
        synchronized (queue) {
            if (closed) {
                return;
            }
            queue.add(request);
            queue.notifyAll();
        }
    }

    /** Passes made: each reads its partitions once for every request it took. */
    public long passes() {
        return passes.get();
    }

    /** Records read from the log, wanted or not. */
    public long recordsRead() {
        return recordsRead.get();
    }

    /** Requests answered. */
    public long requestsRead() {
        return requestsRead.get();
    }

    /** Requests waiting for a reader or for buffer budget. */
    public int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    @Override
    public void close() {
        synchronized (queue) {
            closed = true;
            queue.clear();
            queue.notifyAll();
        }
        synchronized (consumers) {
            consumers.forEach(Consumer::wakeup);
        }
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run(String name) {
        while (!closed) {
            Map<String, Object> props = new HashMap<>(kafka);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
            Pass pass = null;
            try (Consumer<String, byte[]> consumer =
                         new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                synchronized (consumers) {
                    consumers.add(consumer);
                }
                try {
                    while (!closed) {
                        List<Request<?>> taken = take();
                        if (!taken.isEmpty()) {
                            pass = new Pass(consumer, taken);
                            pass.run();
                            pass = null;
                        }
                    }
                } finally {
                    synchronized (consumers) {
                        consumers.remove(consumer);
                    }
                }
            } catch (WakeupException | InterruptException stop) {
                if (pass != null) {
                    pass.answerTheRest("the gateway is stopping");
                }
                return;
            } catch (RuntimeException e) {
                LOG.warnf("log reader %s failed, replacing its consumer: %s", name, e.toString());
                if (pass != null) {
                    pass.answerTheRest("the event log could not be read");
                }
                pause();
            }
        }
    }

    private void pause() {
        synchronized (queue) {
            try {
                queue.wait(FAILURE_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Every queued request (at least one), once there is budget left; a reader that finds few waits
     * {@link #LINGER_MILLIS} for more to share its pass.
     */
    private List<Request<?>> take() {
        synchronized (queue) {
            while (!closed && (queue.isEmpty() || reserved >= bufferBytes || (starved && reserved > 0))) {
                try {
                    queue.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return List.of();
                }
            }
            long lingerUntil = System.currentTimeMillis() + LINGER_MILLIS;
            for (long wait = LINGER_MILLIS; !closed && wait > 0 && queue.size() < LINGER_WHILE_FEWER;
                 wait = lingerUntil - System.currentTimeMillis()) {
                try {
                    queue.wait(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            List<Request<?>> taken = new ArrayList<>(queue);
            queue.clear();
            return taken;
        }
    }

    /** Takes {@code bytes} of the shared budget for a kept record; false when it is spent. */
    private boolean reserve(long bytes) {
        synchronized (queue) {
            if (reserved + bytes > bufferBytes && reserved > 0) {
                return false;
            }
            reserved += bytes;
            return true;
        }
    }

    /** Requests that found the budget spent before they got anything wait until some of it is released. */
    private void requeue(List<Request<?>> requests) {
        if (requests.isEmpty()) {
            return;
        }
        synchronized (queue) {
            starved = true;
            for (int i = requests.size() - 1; i >= 0; i--) {
                queue.addFirst(requests.get(i));
            }
            queue.notifyAll();
        }
    }

    private void release(long bytes) {
        synchronized (queue) {
            reserved -= bytes;
            starved = false;
            queue.notifyAll();
        }
    }

    /** @param bytes what the kept records took of the shared budget: released with the result */
    private <T> void finish(Request<T> request, List<T> items, Map<TopicPartition, Long> reached,
                            TopicPartition truncated, long logStart, String failure, long bytes) {
        requestsRead.incrementAndGet();
        boolean[] released = new boolean[1];
        Runnable release = () -> {
            synchronized (released) {
                if (released[0]) {
                    return;
                }
                released[0] = true;
            }
            release(bytes);
        };
        try {
            request.done().accept(new Result<>(items, reached, truncated, logStart, failure, release));
        } catch (RuntimeException e) {
            release.run();
            LOG.warnf(e, "a log read's callback failed");
        }
    }

    /** One read of every partition its requests ask for. */
    private final class Pass {
        private final Consumer<String, byte[]> consumer;
        private final List<Reading<?>> readings = new ArrayList<>();
        /** The readings of each partition (their positions are checked after each poll). */
        private final Map<TopicPartition, List<Reading<?>>> byPartition = new HashMap<>();
        /** The readings a record is offered to: per partition those that read it whole, and those of its key. */
        private final Map<TopicPartition, List<Reading<?>>> wholly = new HashMap<>();
        private final Map<TopicPartition, Map<String, List<Reading<?>>>> byKey = new HashMap<>();
        /** Readings that found the budget spent before they kept anything: back to the queue. */
        private final List<Request<?>> starved = new ArrayList<>();

        Pass(Consumer<String, byte[]> consumer, List<Request<?>> requests) {
            this.consumer = consumer;
            for (Request<?> request : requests) {
                Reading<?> reading = new Reading<>(request, this);
                readings.add(reading);
                request.ranges().forEach((partition, range) -> {
                    byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(reading);
                    if (range.byKey()) {
                        Map<String, List<Reading<?>>> keyed = byKey.computeIfAbsent(partition, p -> new HashMap<>());
                        request.keys().forEach(key -> keyed.computeIfAbsent(key, k -> new ArrayList<>()).add(reading));
                    } else {
                        wholly.computeIfAbsent(partition, p -> new ArrayList<>()).add(reading);
                    }
                });
            }
        }

        void run() {
            passes.incrementAndGet();
            Map<TopicPartition, Long> logStart = consumer.beginningOffsets(byPartition.keySet());
            for (Reading<?> reading : readings) {
                reading.checkRetention(logStart);
            }
            consumer.assign(byPartition.keySet());
            Map<TopicPartition, Long> seekTo = new HashMap<>();
            for (Reading<?> reading : readings) {
                if (!reading.finished) {
                    reading.request.ranges().forEach((partition, range) -> seekTo.merge(partition, range.from(), Math::min));
                }
            }
            List<TopicPartition> idle = new ArrayList<>(byPartition.keySet());
            idle.removeAll(seekTo.keySet());
            consumer.pause(idle);
            seekTo.forEach(consumer::seek);
            long lastProgress = System.nanoTime();
            while (!closed && !consumer.paused().containsAll(byPartition.keySet())) {
                var records = consumer.poll(POLL);
                boolean progressed = !records.isEmpty();
                for (ConsumerRecord<String, byte[]> record : records) {
                    recordsRead.incrementAndGet();
                    offer(record);
                }
                // Positions past gaps (compaction, transaction markers) finish ranges no record reaches.
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition partition : consumer.assignment()) {
                    if (consumer.paused().contains(partition)) {
                        continue;
                    }
                    long position = consumer.position(partition);
                    boolean anyWants = false;
                    for (Reading<?> reading : byPartition.get(partition)) {
                        progressed |= reading.positionAt(partition, position);
                        anyWants |= reading.wants(partition);
                    }
                    if (!anyWants) {
                        done.add(partition);
                    }
                }
                consumer.pause(done);
                if (progressed) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL_TIMEOUT.toNanos()) {
                    break;
                }
            }
            consumer.unsubscribe();
            answerTheRest("the event log could not be read in time"); // only a stalled pass leaves any
        }

        /**
         * Answers the readings not answered yet with {@code why} (each releases what it had kept) and puts those
         * that found the budget spent back in the queue; after a pass that ended well, only the latter remain.
         */
        void answerTheRest(String why) {
            for (Reading<?> reading : readings) {
                if (!reading.finished) {
                    reading.finish(why);
                }
            }
            requeue(starved);
            starved.clear();
        }

        /**
         * Offers the record to the readings that may want it (those of its key on a partition read by key: another
         * user's record costs a map lookup), decoding it once for every run of readings sharing a decoder.
         */
        private void offer(ConsumerRecord<String, byte[]> record) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            Map<String, List<Reading<?>>> keyed = byKey.get(partition);
            Decoded decoded = new Decoded();
            offer(partition, record, wholly.get(partition), decoded);
            offer(partition, record, keyed == null || record.key() == null ? null : keyed.get(record.key()), decoded);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void offer(TopicPartition partition, ConsumerRecord<String, byte[]> record, List<Reading<?>> interested,
                           Decoded decoded) {
            if (interested == null) {
                return;
            }
            for (Reading reading : interested) {
                if (!reading.wantsOffset(partition, record)) {
                    continue;
                }
                if (reading.request.decode() != decoded.decoder) {
                    decoded.decoder = reading.request.decode();
                    decoded.value = decoded.decoder.apply(record);
                }
                reading.offer(partition, record, decoded.value);
            }
        }
    }

    /** One request's progress in a pass. */
    private final class Reading<T> {
        final Request<T> request;
        final Pass pass;
        final Map<TopicPartition, Long> reached = new HashMap<>();
        final Map<TopicPartition, List<Found<T>>> found = new HashMap<>();
        long bytes;
        boolean full;
        boolean finished;

        Reading(Request<T> request, Pass pass) {
            this.request = request;
            this.pass = pass;
            request.ranges().forEach((partition, range) -> reached.put(partition, range.from()));
        }

        void checkRetention(Map<TopicPartition, Long> logStart) {
            for (Map.Entry<TopicPartition, Range> range : request.ranges().entrySet()) {
                Long start = logStart.get(range.getKey());
                if (start != null && range.getValue().from() < start && range.getValue().from() < range.getValue().until()) {
                    finished = true;
                    LogReader.this.finish(request, List.of(), Map.of(), range.getKey(), start, null, 0);
                    return;
                }
            }
            finishIfDone();
        }

        boolean wants(TopicPartition partition) {
            Range range = request.ranges().get(partition);
            return !finished && !full && range != null && reached.get(partition) < range.until();
        }

        /** Whether the record is the next this reading has to look at (not below where it is, and it still reads). */
        boolean wantsOffset(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
            if (!wants(partition) || record.offset() < reached.get(partition)) {
                return false;
            }
            if (record.offset() >= request.ranges().get(partition).until()) {
                reached.put(partition, request.ranges().get(partition).until());
                finishIfDone();
                return false;
            }
            return true;
        }

        void offer(TopicPartition partition, ConsumerRecord<String, byte[]> record, T decoded) {
            if (decoded != null && request.wants().test(decoded)) {
                long size = record.serializedValueSize() + Math.max(0, record.serializedKeySize());
                if (!reserve(size)) {
                    full = true; // the shared budget is spent: this record is read again next time
                    finishIfDone();
                    return;
                }
                found.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Found<>(record.timestamp(), decoded));
                bytes += size;
                full = bytes >= request.maxBytes();
            }
            reached.put(partition, record.offset() + 1);
            finishIfDone();
        }

        /** @return whether the position moved this reading on */
        boolean positionAt(TopicPartition partition, long position) {
            if (!wants(partition)) {
                return false;
            }
            long until = request.ranges().get(partition).until();
            long at = Math.min(position, until);
            if (at <= reached.get(partition)) {
                return false;
            }
            reached.put(partition, at);
            finishIfDone();
            return true;
        }

        void finishIfDone() {
            if (finished) {
                return;
            }
            boolean allRead = request.ranges().entrySet().stream()
                    .allMatch(e -> reached.get(e.getKey()) >= e.getValue().until());
            if (full || allRead) {
                finish(null);
            }
        }

        void finish(String failure) {
            finished = true;
            boolean nothing = bytes == 0 && request.ranges().entrySet().stream()
                    .allMatch(e -> reached.get(e.getKey()) == e.getValue().from());
            if (failure == null && full && nothing) {
                pass.starved.add(request); // found the budget spent at once: waits for it rather than answering
                return;
            }
            LogReader.this.finish(request, failure == null ? merged() : List.of(), Map.copyOf(reached), null, 0, failure,
                    failure == null ? bytes : 0);
            if (failure != null && bytes > 0) {
                release(bytes);
            }
        }

        /** Per partition in offset order; across partitions, the oldest head first. */
        List<T> merged() {
            List<T> items = new ArrayList<>();
            List<ArrayDeque<Found<T>>> heads = new ArrayList<>();
            found.values().forEach(list -> heads.add(new ArrayDeque<>(list)));
            while (true) {
                ArrayDeque<Found<T>> next = null;
                for (ArrayDeque<Found<T>> head : heads) {
                    if (!head.isEmpty() && (next == null || head.peek().timestamp < next.peek().timestamp)) {
                        next = head;
                    }
                }
                if (next == null) {
                    return items;
                }
                items.add(next.poll().item);
            }
        }
    }

    private record Found<T>(long timestamp, T item) {
    }

    /** A record as the last decoder made it. */
    private static final class Decoded {
        Function<ConsumerRecord<String, byte[]>, ?> decoder;
        Object value;
    }

}
