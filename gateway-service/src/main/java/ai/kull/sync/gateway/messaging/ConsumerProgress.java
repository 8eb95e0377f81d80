package ai.kull.sync.gateway.messaging;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * Whether the consumer is alive and has caught up with the log as it stood when it started. Written by
 * the consumer thread, read by the readiness check.
 */
public final class ConsumerProgress {

    private volatile Map<TopicPartition, Long> startEndOffsets;
    private volatile boolean caughtUp;
    private volatile long lastPollMillis;

    void startedAt(Map<TopicPartition, Long> endOffsets) {
        startEndOffsets = Map.copyOf(endOffsets);
        caughtUp = false;
    }

    void polled(Consumer<?, ?> consumer) {
        lastPollMillis = System.currentTimeMillis();
        Map<TopicPartition, Long> target = startEndOffsets;
        if (!caughtUp && target != null) {
            caughtUp = target.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        }
    }

    void failed() {
        caughtUp = false;
    }

    /** Whether the record was already in the log when the consumer started (history, not news). */
    boolean isFromBeforeStart(ConsumerRecord<?, ?> record) {
        Long end = startEndOffsets.get(new TopicPartition(record.topic(), record.partition()));
        return end != null && record.offset() < end;
    }

    public boolean isCaughtUp() {
        return caughtUp;
    }

    public long lastPollMillis() {
        return lastPollMillis;
    }
}
