package ai.kull.sync.loadgen.charts;

import ai.kull.sync.loadgen.report.Histograms;
import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * The charts of a load run's report (one worker's or a merged one): deliveries per second and latency over the
 * run, the latency distribution from the histogram, and memory against sessions when the report has it.
 */
public final class LoadCharts {

    /** Percentiles the distribution is drawn at, as far into the tail as the deliveries allow. */
    private static final double[] PERCENTILES = {0, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 99.995,
            99.999};

    private LoadCharts() {
    }

    public static ChartPage page(JsonNode report) {
        JsonNode merged = report.path("merged");
        JsonNode latencyMs = report.path("latencyMs");
        ChartPage page = new ChartPage(merged.isMissingNode() ? "Load run" : "Load run: "
                + merged.path("reports").asInt() + " workers merged")
                .note(String.format("%,d sessions of %,d users; %,d events published, %,d delivered, %d lost, %d duplicated, %d misrouted",
                        report.path("sessions").asLong(), report.path("users").asLong(),
                        report.path("published").asLong(), report.path("delivered").asLong(),
                        report.path("lost").asLong(), report.path("duplicated").asLong(),
                        report.path("misrouted").asLong()))
                .note(String.format("delivery latency p50 %s ms, p99 %s ms, p99.9 %s ms, max %s ms",
                        latencyMs.path("p50").asText(), latencyMs.path("p99").asText(),
                        latencyMs.path("p999").asText(), latencyMs.path("max").asText()));
        JsonNode timeline = report.path("timeline");
        if (timeline.size() > 0) {
            int n = timeline.size();
            double[] seconds = new double[n];
            double[] delivered = new double[n];
            double[] published = new double[n];
            double[] p50 = new double[n];
            double[] p99 = new double[n];
            long start = timeline.get(0).path("epochMillis").asLong() - 1000;
            for (int i = 0; i < n; i++) {
                JsonNode point = timeline.get(i);
                seconds[i] = (point.path("epochMillis").asLong() - start) / 1000.0;
                delivered[i] = point.path("delivered").asLong();
                published[i] = point.path("published").asLong();
                p50[i] = point.path("p50Ms").asDouble();
                p99[i] = point.path("p99Ms").asDouble();
            }
            page = page.add(Chart.line("throughput", "Deliveries and events published per second",
                            "seconds into the run", "per second", List.of(
                                    new Chart.Series("delivered/s", seconds, delivered),
                                    new Chart.Series("published/s", seconds, published))))
                    .add(Chart.line("latency", "Delivery latency, second by second", "seconds into the run",
                            "milliseconds", List.of(new Chart.Series("p50", seconds, p50),
                                    new Chart.Series("p99", seconds, p99))));
        }
        String encoded = report.path("latency").path("histogram").asText(null);
        if (encoded != null) {
            page = page.add(Chart.percentiles("distribution", "Delivery latency distribution (all deliveries)",
                    "milliseconds", List.of(distribution("latency", Histograms.decode(encoded)))));
        }
        JsonNode memory = report.path("memory");
        if (memory.size() > 0) {
            double[] sessions = new double[memory.size()];
            double[] mib = new double[memory.size()];
            for (int i = 0; i < memory.size(); i++) {
                sessions[i] = memory.get(i).path("sessions").asDouble();
                mib[i] = memory.get(i).path("mib").asDouble();
            }
            page = page.add(Chart.line("memory", "Gateway memory against sessions", "sessions", "MiB",
                    List.of(new Chart.Series("memory", sessions, mib))));
        }
        return page;
    }

    /** The latency at each percentile the count supports (a 99.99th needs 10,000 deliveries), up to the max. */
    static Chart.Series distribution(String name, Histogram histogram) {
        List<double[]> points = new ArrayList<>();
        long count = histogram.getTotalCount();
        for (double percentile : PERCENTILES) {
            if (count > 0 && PngCharts.toTail(percentile) <= count) {
                points.add(new double[]{percentile, histogram.getValueAtPercentile(percentile) / 1000.0});
            }
        }
        if (count > 1) {
            // The slowest delivery, placed where one in `count` falls (or raising the last point already there).
            double where = 100 * (1 - 1.0 / count);
            double[] last = points.get(points.size() - 1);
            if (last[0] >= where) {
                last[1] = histogram.getMaxValue() / 1000.0;
            } else {
                points.add(new double[]{where, histogram.getMaxValue() / 1000.0});
            }
        }
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        return new Chart.Series(name, x, y);
    }
}
