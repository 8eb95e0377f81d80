package ai.kull.sync.publish.publish;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.service.idempotency.IdempotencyStore;
import ai.kull.sync.service.state.TeamEventProjection;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Rebuilds the teams' seen idempotency keys from the records on the topics (service-support's StateLoader reads
 * them from the beginning before the service is ready, then follows them): a retry after a restart, or one that
 * reaches another replica once it has read the first record, publishes nothing new.
 */
@ApplicationScoped
public class SeenKeys implements TeamEventProjection {

    private final IdempotencyStore idempotency;

    public SeenKeys(IdempotencyStore idempotency) {
        this.idempotency = idempotency;
    }

    @Override
    public void apply(ConsumerRecord<String, byte[]> record) {
        String key = EventHeaders.read(record.headers(), EventHeaders.IDEMPOTENCY_KEY);
        String hash = EventHeaders.read(record.headers(), EventHeaders.REQUEST_HASH);
        String eventId = EventHeaders.read(record.headers(), EventHeaders.EVENT_ID);
        if (key != null && hash != null && eventId != null) {
            idempotency.record(key, hash, new IdempotencyStore.Published(record.key(), eventId, null), record.timestamp());
        }
    }
}
