package ai.kull.sync.gateway.acks;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.messaging.ConsumerProgress;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Client message ids applied once (docs/design.md, "Acknowledged cursors and client message ids"). The event a
 * message with an id publishes gets an id derived from (userId, deviceId, client id), and every pod remembers the
 * event ids of the device-originated records it routes (the last {@code gateway.acks.remembered-ids}), so a retry
 * of a stored id, on this pod or another, is answered duplicate without publishing. Before it publishes an id it
 * does not remember, a pod waits until it has read the log as it stands, so a record another pod stored before the
 * retry arrived is known by then.
 */
@Singleton
public class MessageIds {

    /** How this pod waits until it has read the event topics as they stand now. */
    interface LogReader {
        void whenReadToEnd(Runnable callback);
    }

    private final Map<String, Boolean> remembered;
    /** Ids being published by this pod: a second message with the same id waits for the first. */
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
    private final LogReader log;
    private final Consumer<Boolean> answered;
    /** Publishes messages with ids one at a time, in the order they were read to the log's end. */
    private final Executor publishing = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "sync-client-messages");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    MessageIds(GatewayConfig config, ConsumerProgress consumer, GatewayMetrics metrics) {
        this(config.acks().rememberedIds(), callback -> consumer.whenReadToEnd(reachedEnd -> callback.run()), duplicate -> {
            if (duplicate) {
                metrics.duplicateMessage();
            }
        });
    }

    MessageIds(int capacity, LogReader log, Consumer<Boolean> answered) {
        this.log = log;
        this.answered = answered;
        this.remembered = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The event id of the message {@code clientId} of a device: the same for every retry, on every pod. */
    public static String eventId(String userId, String deviceId, String clientId) {
        return UUID.nameUUIDFromBytes(("client-message/" + userId + '/' + deviceId + '/' + clientId)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Routing calls this for every event record before it routes it: a record a device sent (it names its origin
     * device) is remembered by its event id. One header lookup for other records.
     */
    public void routed(ConsumerRecord<String, byte[]> record) {
        if (record.headers().lastHeader(EventHeaders.ORIGIN_DEVICE) == null) {
            return;
        }
        Header id = record.headers().lastHeader(EventHeaders.EVENT_ID);
        if (id != null) {
            remember(new String(id.value(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Publishes the event {@code eventId} unless it was stored already.
     *
     * @return true when it was a duplicate (nothing published), false once this call stored it; fails as the
     *         publish failed
     */
    public CompletableFuture<Boolean> once(String eventId, Supplier<CompletableFuture<?>> publish) {
        if (isRemembered(eventId)) {
            return answer(CompletableFuture.completedFuture(true));
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> earlier = inFlight.putIfAbsent(eventId, mine);
        if (earlier != null) {
            // The same id is being published here: a duplicate once that succeeds; it fails as that fails.
            return answer(earlier.thenApply(first -> true));
        }
        CompletableFuture<Void> read = new CompletableFuture<>();
        log.whenReadToEnd(() -> read.complete(null));
        // Off the consumer's thread, which runs the callback: a publish may wait for the producer's metadata. On
        // one thread, in the order the callbacks run (the order the messages came), so a device's messages stay
        // in order (the common pool published a batch of them concurrently, reordered: acks.test.ts).
        read.thenRunAsync(() -> {
            if (isRemembered(eventId)) {
                inFlight.remove(eventId, mine);
                mine.complete(true);
                return;
            }
            CompletableFuture<?> sent;
            try {
                sent = publish.get();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((ok, failure) -> {
                if (failure == null) {
                    remember(eventId);
                }
                inFlight.remove(eventId, mine);
                if (failure == null) {
                    mine.complete(false);
                } else {
                    mine.completeExceptionally(failure);
                }
            });
        }, publishing);
        return answer(mine);
    }

    private CompletableFuture<Boolean> answer(CompletableFuture<Boolean> outcome) {
        return outcome.whenComplete((duplicate, failure) -> {
            if (failure == null) {
                answered.accept(duplicate);
            }
        });
    }

    private void remember(String eventId) {
        synchronized (remembered) {
            remembered.put(eventId, Boolean.TRUE);
        }
    }

    private boolean isRemembered(String eventId) {
        synchronized (remembered) {
            return remembered.containsKey(eventId);
        }
    }
}
