package ai.kull.sync.loadgen.report;

import ai.kull.sync.loadgen.LatencyStats;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReportMergeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SECOND = 1_800_000_000_000L;

    @Test
    void percentilesComeFromTheMergedHistogramNotFromAveragedPercentiles() {
        // Worker 0: 1,000 deliveries of 1 ms. Worker 1: 980 of 1 ms and 20 of 50 ms, so its own p99 is 50 ms.
        // Together the 20 slow ones are 1% of 2,000: the p99 of all deliveries is 1 ms, not the mean 25.5 ms.
        JsonNode fast = worker(0, 2, 0, latencies(1000, 1_000), Map.of("lost", 1, "duplicated", 2));
        ((com.fasterxml.jackson.databind.node.ObjectNode) fast).putArray("lostSample").add("run-u7#3 (session 15)");
        JsonNode slow = worker(1, 2, 100, latencies(980, 1_000, 20, 50_000), Map.of("misrouted", 3, "duplicated", 5));
        assertThat(fast.path("latencyMs").path("p99").asDouble()).isEqualTo(1.0);
        assertThat(slow.path("latencyMs").path("p99").asDouble()).isCloseTo(50.0, within(0.1));

        Map<String, Object> merged = ReportMerge.merge(List.of(slow, fast), false);

        assertThat(merged.get("delivered")).isEqualTo(2000L);
        assertThat(merged.get("lost")).isEqualTo(1L);
        assertThat(merged.get("lostSample")).isEqualTo(List.of("run-u7#3 (session 15)"));
        assertThat(merged.get("duplicated")).isEqualTo(7L);
        assertThat(merged.get("misrouted")).isEqualTo(3L);
        assertThat(merged.get("users")).isEqualTo(200L);
        assertThat(merged.get("sessions")).isEqualTo(400L);
        @SuppressWarnings("unchecked")
        Map<String, Object> millis = (Map<String, Object>) merged.get("latencyMs");
        assertThat(millis.get("p99")).isEqualTo(1.0);
        assertThat((Double) millis.get("max")).isCloseTo(50.0, within(0.1));
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) merged.get("latency");
        assertThat(latency.get("count")).isEqualTo(2000L);
        Histogram decoded = Histograms.decode((String) latency.get("histogram"));
        assertThat(decoded.getTotalCount()).isEqualTo(2000);
        assertThat(decoded.getCountBetweenValues(49_000, 51_000)).isEqualTo(20);
    }

    @Test
    void timelinesAddUpByWallClockSecond() {
        JsonNode a = worker(0, 2, 0, latencies(10, 2_000), Map.of());
        JsonNode b = worker(1, 2, 100, latencies(30, 4_000), Map.of());
        Map<String, Object> merged = ReportMerge.merge(List.of(a, b), false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> timeline = (List<Map<String, Object>>) merged.get("timeline");
        // Each worker wrote seconds 0 and 1 (a few hundred ms apart from the other): two merged seconds.
        assertThat(timeline).hasSize(2);
        assertThat(timeline.stream().mapToLong(p -> (Long) p.get("delivered")).sum()).isEqualTo(40);
        Histogram first = Histograms.decode((String) timeline.get(0).get("latencyHistogram"));
        assertThat(first.getTotalCount()).isEqualTo((Long) timeline.get(0).get("delivered"));
        assertThat(timeline.get(0).get("epochMillis")).isEqualTo(SECOND);
    }

    @Test
    void refusesReportsThatAreNotOneRunsWorkers() {
        JsonNode zero = worker(0, 2, 0, latencies(1, 1_000), Map.of());
        JsonNode overlapping = worker(1, 2, 50, latencies(1, 1_000), Map.of());
        assertThatThrownBy(() -> ReportMerge.merge(List.of(zero, overlapping), false))
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> ReportMerge.merge(List.of(zero, zero), false))
                .hasMessageContaining("worker 0 has two reports");
        JsonNode otherRun = withPrefix(worker(1, 2, 100, latencies(1, 1_000), Map.of()), "other-u");
        assertThatThrownBy(() -> ReportMerge.merge(List.of(zero, otherRun), false))
                .hasMessageContaining("different runs");
        assertThatThrownBy(() -> ReportMerge.merge(List.of(zero), false))
                .hasMessageContaining("workers [1] of 2 have no report");
    }

    @Test
    void aPartialRunIsMergedOnlyWhenAskedAndSaysWhoIsMissing() {
        Map<String, Object> merged = ReportMerge.merge(List.of(worker(2, 3, 200, latencies(5, 1_000), Map.of())), true);
        assertThat(merged.get("merged")).asString().contains("missingWorkers=[0, 1]");
        assertThat(merged.get("delivered")).isEqualTo(5L);
    }

    @Test
    void readsAReportFromAJsonFileOrFromAWorkersLog(@TempDir Path dir) throws Exception {
        JsonNode report = worker(0, 1, 0, latencies(3, 1_000), Map.of());
        Path json = Files.writeString(dir.resolve("worker-0.json"), report.toPrettyString());
        Path log = Files.writeString(dir.resolve("worker-0.log"), "[loadgen run] open=2\n"
                + ReportMerge.LOG_MARKER + JSON.writeValueAsString(report) + "\n");
        assertThat(ReportMerge.read(json).toString()).isEqualTo(report.toString());
        assertThat(ReportMerge.read(log).toString()).isEqualTo(report.toString());
        Path unfinished = Files.writeString(dir.resolve("worker-1.log"), "[loadgen run] open=2\n");
        assertThatThrownBy(() -> ReportMerge.read(unfinished)).hasMessageContaining("did the worker finish");
    }

    /** Latencies in microseconds: pairs of (how many, value). */
    private static Histogram latencies(long... countAndValue) {
        Histogram histogram = new Histogram(LatencyStats.MAX_MICROS, 3);
        for (int i = 0; i < countAndValue.length; i += 2) {
            histogram.recordValueWithCount(countAndValue[i + 1], countAndValue[i]);
        }
        return histogram;
    }

    /**
     * A worker's report as LoadRun writes it: 100 users from {@code firstUser}, two devices each, the deliveries of
     * {@code latency} over two seconds of the timeline.
     */
    private static JsonNode worker(int index, int workers, int firstUser, Histogram latency, Map<String, Integer> counts) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mode", "kafka");
        report.put("gateways", "[ws://localhost:1]");
        report.put("worker", Map.of("index", index, "workers", workers, "userPrefix", "run-u", "firstUser", firstUser,
                "users", 100));
        report.put("users", 100);
        report.put("devicesPerUser", 2);
        report.put("sessions", 200);
        report.put("connect", Map.of("opened", 200, "seconds", 1.5 + index, "failures", Map.of("503", 1),
                "complete", true));
        report.put("delivered", latency.getTotalCount());
        report.put("latencyMs", Histograms.millis(latency));
        report.put("latency", Histograms.field(latency));
        Timeline timeline = new Timeline();
        Histogram firstHalf = new Histogram(LatencyStats.MAX_MICROS, 3);
        Histogram rest = latency.copy();
        long half = latency.getTotalCount() / 2;
        // Split by value order: the first `half` recorded values into the first second.
        for (var value : latency.recordedValues()) {
            long take = Math.min(value.getCountAtValueIteratedTo(), half - firstHalf.getTotalCount());
            if (take > 0) {
                firstHalf.recordValueWithCount(value.getValueIteratedTo(), take);
            }
        }
        rest.subtract(firstHalf);
        long offset = index * 300L;
        timeline.add(SECOND + offset, half, firstHalf.getTotalCount(), firstHalf);
        timeline.add(SECOND + 1000 + offset, latency.getTotalCount() - half, rest.getTotalCount(), rest);
        report.put("timeline", timeline.points());
        counts.forEach(report::put);
        return JSON.valueToTree(report);
    }

    private static JsonNode withPrefix(JsonNode report, String prefix) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) report.path("worker")).put("userPrefix", prefix);
        return report;
    }
}
