package ai.kull.sync.loadgen.report;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * Latency histograms (microseconds) as a report carries them: HdrHistogram's compressed encoding in base64, so
 * the reports of several workers merge into exact percentiles of all their deliveries.
 */
public final class Histograms {

    private Histograms() {
    }

    public static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /** @throws IllegalArgumentException when {@code base64} is not an encoded histogram */
    public static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("not an encoded HdrHistogram: " + e.getMessage(), e);
        }
    }

    /** p50, p95, p99, p99.9, max and mean in milliseconds, two decimals; all 0 when empty. */
    public static Map<String, Object> millis(Histogram histogram) {
        Map<String, Object> millis = new LinkedHashMap<>();
        boolean empty = histogram.getTotalCount() == 0;
        millis.put("p50", ms(empty ? 0 : histogram.getValueAtPercentile(50)));
        millis.put("p95", ms(empty ? 0 : histogram.getValueAtPercentile(95)));
        millis.put("p99", ms(empty ? 0 : histogram.getValueAtPercentile(99)));
        millis.put("p999", ms(empty ? 0 : histogram.getValueAtPercentile(99.9)));
        millis.put("max", ms(empty ? 0 : histogram.getMaxValue()));
        millis.put("mean", empty ? 0.0 : Math.round(histogram.getMean() / 10.0) / 100.0);
        return millis;
    }

    /** The report's {@code latency}: how many deliveries it covers and their histogram. */
    public static Map<String, Object> field(Histogram histogram) {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("unit", "microseconds");
        latency.put("count", histogram.getTotalCount());
        latency.put("histogram", encode(histogram));
        return latency;
    }

    static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }
}
