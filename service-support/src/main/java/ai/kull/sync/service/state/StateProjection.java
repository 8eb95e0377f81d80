package ai.kull.sync.service.state;

import ai.kull.sync.events.Envelope;

/**
 * A service's state as a function of its topic: applied to every event on start (replay from the beginning)
 * and then live, and also to the service's own writes as soon as they are acknowledged. So {@link #apply}
 * sees an event more than once and must be idempotent, and must keep the newer of two states.
 */
public interface StateProjection {

    /** @param recordKey the Kafka record key (userId for user-scoped events) */
    void apply(String recordKey, Envelope event);
}
