package ai.kull.sync.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * End-to-end latencies in microseconds, recorded from any thread: an interval view for the live progress
 * line and the total for the final table. Values are kept with three significant digits up to an hour.
 */
public final class LatencyStats {

    /** The largest latency kept; a merged report's histograms share it. */
    public static final long MAX_MICROS = 3_600_000_000L;

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final Histogram total = new Histogram(MAX_MICROS, 3);
    private Histogram interval;

    /** A negative latency (clocks of two machines disagreeing) counts as zero. */
    public void record(long micros) {
        recorder.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
    }

    /** Ends the current interval and returns its values (also added to the total). Call from one thread. */
    public synchronized Snapshot interval() {
        return new Snapshot(intervalHistogram());
    }

    /** As {@link #interval()}, the interval's histogram itself (a copy, kept by the caller: the run's timeline). */
    public synchronized Histogram intervalHistogram() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval.copy();
    }

    /** The total of the intervals ended so far, without ending the current one: equal to the sum of their histograms. */
    public synchronized Histogram totalHistogram() {
        return total.copy();
    }

    /** Everything recorded so far. */
    public synchronized Snapshot total() {
        interval();
        return new Snapshot(total.copy());
    }

    /** Discards what was recorded so far (e.g. the warm-up). */
    public synchronized void reset() {
        interval = recorder.getIntervalHistogram(interval);
        total.reset();
    }

    /** Percentiles of a set of latencies, in microseconds. */
    public record Snapshot(long count, long p50, long p95, long p99, long max, double mean) {

        public Snapshot(Histogram histogram) {
            this(histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(95),
                    histogram.getValueAtPercentile(99), histogram.getMaxValue(),
                    histogram.getTotalCount() == 0 ? 0 : histogram.getMean());
        }
    }
}
