package ai.kull.sync.gateway.metrics;

import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The two latency timers of one event type, recorded together once per delivered frame when its write to the
 * session's socket completed: from the Kafka record's timestamp (producer, broker and gateway), and what the
 * gateway itself added, from the moment the consumer's poll returned the record. Made once per type label, so
 * a delivery costs two histogram updates and no lookup.
 */
public final class DeliveryLatency {

    private final Timer fromRecord;
    private final Timer added;

    DeliveryLatency(Timer fromRecord, Timer added) {
        this.fromRecord = fromRecord;
        this.added = added;
    }

    /**
     * @param recordTimestamp the record's Kafka timestamp (epoch ms); a producer clock ahead of this pod's
     *                        counts as zero rather than a negative latency
     * @param writtenAt       when the frame was written (epoch ms)
     * @param polledAt        {@link System#nanoTime()} when the consumer's poll returned the record
     */
    public void record(long recordTimestamp, long writtenAt, long polledAt) {
        fromRecord.record(Math.max(0, writtenAt - recordTimestamp), TimeUnit.MILLISECONDS);
        added.record(System.nanoTime() - polledAt, TimeUnit.NANOSECONDS);
    }
}
