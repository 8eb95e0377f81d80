package ai.kull.sync.gateway.metrics;

import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The delivery-latency timer of one event type: from the Kafka record's timestamp to its frame written to a
 * session's socket. One {@link #record} per delivered frame, so it stays a single histogram update.
 */
public final class DeliveryLatency {

    private final Timer timer;

    DeliveryLatency(Timer timer) {
        this.timer = timer;
    }

    /**
     * @param recordTimestamp the record's Kafka timestamp (epoch ms); a producer clock ahead of this pod's
     *                        counts as zero rather than a negative latency
     * @param writtenAt       when the frame was written (epoch ms)
     */
    public void record(long recordTimestamp, long writtenAt) {
        timer.record(Math.max(0, writtenAt - recordTimestamp), TimeUnit.MILLISECONDS);
    }
}
