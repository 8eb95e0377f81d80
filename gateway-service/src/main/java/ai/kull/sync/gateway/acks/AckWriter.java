package ai.kull.sync.gateway.acks;

import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes devices' ACKs to the acks topic, coalesced: a device's ACKs are kept in memory, the latest wins, and
 * every {@code gateway.acks.flush-interval} the pending ones are written, one record per device; a device whose
 * session closes is written at once when it acked something not written yet. A write that fails is kept for the
 * next flush unless a newer ACK replaced it. Each written ACK goes into this pod's {@link AckStore} at once.
 */
@Singleton
public class AckWriter {

    private static final Logger LOG = Logger.getLogger(AckWriter.class);

    /** Where a record goes: the acks topic in production, a list in unit tests. */
    interface Sink {
        CompletableFuture<?> write(String key, byte[] value);
    }

    private final ConcurrentHashMap<String, AckedCursor> pending = new ConcurrentHashMap<>();
    private final Sink sink;
    private final AckStore store;
    private final GatewayMetrics metrics;

    @Inject
    AckWriter(GatewayProducer producer, GatewayConfig config, AckStore store, GatewayMetrics metrics) {
        this((key, value) -> producer.publishInternal(config.acks().topic(), key, value), store, metrics);
    }

    AckWriter(Sink sink, AckStore store, GatewayMetrics metrics) {
        this.sink = sink;
        this.store = store;
        this.metrics = metrics;
    }

    /** The device processed everything up to {@code cursor} (a cursor the caller checked). Nothing is written yet. */
    public void ack(String userId, String deviceId, String cursor, long now) {
        AckedCursor acked = new AckedCursor(userId, deviceId, cursor, now);
        pending.merge(acked.key(), acked, (held, next) -> next.ackedAt() >= held.ackedAt() ? next : held);
    }

    /** The device's session closed: its ACK not written yet (if any) is written now. */
    public void closed(String userId, String deviceId) {
        AckedCursor acked = pending.remove(AckedCursor.key(userId, deviceId));
        if (acked != null) {
            write(List.of(acked));
        }
    }

    @Scheduled(every = "${gateway.acks.flush-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flush() {
        List<AckedCursor> due = new ArrayList<>();
        for (String key : pending.keySet()) {
            AckedCursor acked = pending.remove(key);
            if (acked != null) {
                due.add(acked);
            }
        }
        if (!due.isEmpty()) {
            write(due);
        }
    }

    /** ACKs waiting for the next flush. */
    int pending() {
        return pending.size();
    }

    private void write(List<AckedCursor> due) {
        for (AckedCursor acked : due) {
            CompletableFuture<?> sent;
            try {
                sent = sink.write(acked.key(), AckStore.encode(acked));
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((ok, failure) -> {
                if (failure == null) {
                    metrics.acksWritten(1);
                    store.remember(acked, System.currentTimeMillis());
                } else {
                    LOG.warnf("ACK of %s not written, retried at the next flush: %s", acked.key(), failure.getMessage());
                    pending.merge(acked.key(), acked, (newer, failed) -> newer);
                }
            });
        }
    }
}
