package ai.kull.sync.loadgen.report;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's figures second by second: events published, deliveries and their latency histogram, stamped with the
 * wall clock so the timelines of workers on several machines line up when merged.
 */
public final class Timeline {

    private final List<Map<String, Object>> points = new ArrayList<>();

    /** What happened in the interval that ended at {@code epochMillis}. */
    public synchronized void add(long epochMillis, long published, long delivered, Histogram latency) {
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("epochMillis", epochMillis);
        point.put("published", published);
        point.put("delivered", delivered);
        Map<String, Object> millis = Histograms.millis(latency);
        point.put("p50Ms", millis.get("p50"));
        point.put("p99Ms", millis.get("p99"));
        point.put("latencyHistogram", Histograms.encode(latency));
        points.add(point);
    }

    public synchronized List<Map<String, Object>> points() {
        return List.copyOf(points);
    }
}
