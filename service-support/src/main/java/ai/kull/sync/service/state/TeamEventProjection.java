package ai.kull.sync.service.state;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a service keeps of records whose type is not one of the contract's (other teams' events, see
 * {@code TeamEvent}): they have no {@code Envelope}, so {@link StateProjection}s never see them. The domain services
 * have none and skip such records; the publish service rebuilds its seen idempotency keys from them. Sees a record
 * once per read, on the loader's thread.
 */
public interface TeamEventProjection {

    void apply(ConsumerRecord<String, byte[]> record);
}
