package ai.kull.sync.gateway.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * What the {@link EventConsumer} hands its records to (the router, in package routing). Declared here, so the
 * consumer knows Kafka only and the packages above it depend on messaging, never the other way round.
 * Called on the consumer's thread only.
 */
public interface RecordHandler {

    /**
     * Before the consumer reads, and again after it failed and reconnected.
     *
     * @param topics      the event topics as described now
     * @param windowStart per event partition, the first offset within the replay window (the end when none is)
     * @return per event partition, the offset to read from
     */
    Map<TopicPartition, Long> start(EventTopics topics, Map<TopicPartition, Long> windowStart);

    /**
     * One record of an event topic, including those from before the start (they fill the replay window).
     *
     * @param polledAt {@link System#nanoTime()} when the consumer's poll returned the record's batch: where the
     *                 gateway-added latency starts
     */
    void event(ConsumerRecord<String, byte[]> record, long polledAt);

    /**
     * One record of the presence topic.
     *
     * @param history  true for records already in the log when the consumer started
     * @param polledAt as for {@link #event}
     */
    void presence(ConsumerRecord<String, byte[]> record, boolean history, long polledAt);
}
