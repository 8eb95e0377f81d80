package ai.kull.sync.events.publish;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.CompletableFuture;

/** A send whose outcome is a future: the one bridge from a producer's callback, for every publisher. */
public final class Acks {

    private Acks() {
    }

    /**
     * Sends {@code record}; the future completes once the brokers acknowledged it (as the producer's {@code acks}
     * say) and fails with the producer's error. A failure thrown by {@code send} itself (a closed producer, a
     * metadata wait that timed out) fails the future too, so a caller handles every failure in one place.
     */
    public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }
}
