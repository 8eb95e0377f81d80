package ai.kull.sync.gateway.messaging;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.OptionalLong;

/**
 * Whether the consumer is alive and has caught up with the log as it stood when it started. Written by
 * the consumer thread, read by the readiness check.
 */
public final class ConsumerProgress {

    private volatile Map<TopicPartition, Long> startEndOffsets;
    private volatile boolean caughtUp;
    private volatile long lastPollMillis;
    private volatile long lag;
    private long lagAt;

    void startedAt(Map<TopicPartition, Long> endOffsets) {
        startEndOffsets = Map.copyOf(endOffsets);
        caughtUp = false;
    }

    void polled(Consumer<?, ?> consumer) {
        long now = System.currentTimeMillis();
        lastPollMillis = now;
        if (now - lagAt >= LAG_EVERY_MILLIS) {
            lagAt = now;
            lag = lagOf(consumer);
        }
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

    /** Lag is summed at most this often: from the consumer's fetch metadata, no broker round trip. */
    private static final long LAG_EVERY_MILLIS = 1_000;

    /** Records of the assigned partitions not yet read, as of the last poll (within a second). */
    public long lag() {
        return lag;
    }

    private static long lagOf(Consumer<?, ?> consumer) {
        long sum = 0;
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong behind = consumer.currentLag(partition);
            if (behind.isPresent()) {
                sum += behind.getAsLong();
            }
        }
        return sum;
    }

    public boolean isCaughtUp() {
        return caughtUp;
    }

    public long lastPollMillis() {
        return lastPollMillis;
    }
}
