package ai.kull.sync.loadgen.report;

import ai.kull.sync.loadgen.LatencyStats;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Adds up the reports of the workers of one distributed load run ({@code loadgen run --workers N --worker-index i})
 * into the report one run of all their users would have written: counts (published, delivered, lost, duplicated,
 * out of order, misrouted, reconnects) summed exactly, latency percentiles read from the sum of the workers'
 * histograms (never an average of their percentiles), and one timeline, second by second of the wall clock.
 * <p>
 * Refuses reports that are not one run's workers: another user prefix, a worker index twice, overlapping user
 * ranges, a missing histogram, or missing workers (unless {@code allowMissing}, and the merged report then names
 * them).
 */
public final class ReportMerge {

    /** What a worker prints before its report on one line when asked for {@code --json -}. */
    public static final String LOG_MARKER = "LOADGEN_REPORT ";

    /** Counts a merged report holds as the workers' sum. */
    static final List<String> SUMMED = List.of("users", "sessions", "published", "publishFailures", "delivered",
            "lost", "duplicated", "outOfOrder", "misrouted", "reconnects");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportMerge() {
    }

    /**
     * A worker's report: a JSON file as {@code --json FILE} writes it, or a log (e.g. {@code kubectl logs} of a
     * Job's pod) holding the line {@code --json -} prints.
     */
    public static JsonNode read(Path file) throws IOException {
        String text = Files.readString(file);
        if (text.stripLeading().startsWith("{")) {
            return JSON.readTree(text);
        }
        JsonNode found = null;
        for (String line : text.lines().toList()) {
            int at = line.indexOf(LOG_MARKER);
            if (at >= 0) {
                found = JSON.readTree(line.substring(at + LOG_MARKER.length()));
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(file + " holds neither a JSON report nor a line starting with "
                    + LOG_MARKER.strip() + " (did the worker finish?)");
        }
        return found;
    }

    public static Map<String, Object> merge(List<JsonNode> reports, boolean allowMissing) {
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("no reports to merge");
        }
        List<JsonNode> workers = new ArrayList<>(reports);
        workers.sort(Comparator.comparingInt(r -> worker(r).path("index").asInt()));
        List<Integer> missing = checkOneRun(workers);
        if (!missing.isEmpty() && !allowMissing) {
            throw new IllegalArgumentException("workers " + missing + " of " + worker(workers.get(0)).path("workers")
                    .asInt() + " have no report; merge them all, or pass --allow-missing to merge a partial run");
        }

        Map<String, Object> merged = new LinkedHashMap<>();
        JsonNode first = workers.get(0);
        merged.put("mode", first.path("mode").asText());
        merged.put("gateways", distinct(workers, "gateways"));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("workers", worker(first).path("workers").asInt());
        run.put("reports", workers.size());
        run.put("missingWorkers", missing);
        run.put("userPrefix", worker(first).path("userPrefix").asText());
        merged.put("merged", run);
        merged.put("devicesPerUser", first.path("devicesPerUser").asInt());
        for (String count : SUMMED) {
            merged.put(count, workers.stream().mapToLong(r -> r.path(count).asLong()).sum());
        }
        List<String> lostSample = workers.stream().flatMap(r -> r.path("lostSample").valueStream())
                .map(JsonNode::asText).limit(20).toList();
        if (!lostSample.isEmpty()) {
            merged.put("lostSample", lostSample);
        }
        merged.put("connect", connect(workers));
        merged.put("rate", workers.stream().mapToDouble(r -> r.path("rate").asDouble()).sum());
        merged.put("durationSeconds", workers.stream().mapToDouble(r -> r.path("durationSeconds").asDouble()).max()
                .orElse(0));
        // Each worker's rate over its own window; the windows of one run's workers overlap, so their sum is the
        // run's rate (the timeline shows how well they overlapped).
        merged.put("publishedPerSecond", round(workers.stream().mapToDouble(r -> r.path("publishedPerSecond")
                .asDouble()).sum()));
        merged.put("deliveredPerSecond", round(workers.stream().mapToDouble(r -> r.path("deliveredPerSecond")
                .asDouble()).sum()));
        Histogram latency = new Histogram(LatencyStats.MAX_MICROS, 3);
        workers.forEach(r -> latency.add(Histograms.decode(r.path("latency").path("histogram").asText())));
        merged.put("latencyMs", Histograms.millis(latency));
        merged.put("latency", Histograms.field(latency));
        merged.put("timeline", timeline(workers));
        merged.put("workers", workers.stream().map(ReportMerge::summary).toList());
        return merged;
    }

    /** Same prefix, each index once, disjoint ranges, a histogram each; returns the indexes without a report. */
    private static List<Integer> checkOneRun(List<JsonNode> workers) {
        JsonNode first = worker(workers.get(0));
        int count = first.path("workers").asInt(1);
        String prefix = first.path("userPrefix").asText(null);
        TreeSet<Integer> seen = new TreeSet<>();
        long previousEnd = Long.MIN_VALUE;
        for (JsonNode report : workers) {
            JsonNode worker = worker(report);
            int index = worker.path("index").asInt();
            if (prefix == null || !prefix.equals(worker.path("userPrefix").asText(null))) {
                throw new IllegalArgumentException("reports of different runs: user prefixes " + prefix + " and "
                        + worker.path("userPrefix").asText(null) + " (every worker of a run is given the same --user-prefix)");
            }
            if (worker.path("workers").asInt(1) != count) {
                throw new IllegalArgumentException("reports of different runs: --workers " + count + " and "
                        + worker.path("workers").asInt(1));
            }
            if (!seen.add(index)) {
                throw new IllegalArgumentException("worker " + index + " has two reports");
            }
            long firstUser = worker.path("firstUser").asLong();
            if (firstUser < previousEnd) {
                throw new IllegalArgumentException("worker " + index + "'s users from " + prefix + firstUser
                        + " overlap the previous worker's (up to " + prefix + (previousEnd - 1) + ")");
            }
            previousEnd = firstUser + worker.path("users").asLong();
            if (!report.path("latency").path("histogram").isTextual()) {
                throw new IllegalArgumentException("worker " + index + "'s report has no latency.histogram"
                        + " (written by a loadgen older than merge)");
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (!seen.contains(i)) {
                missing.add(i);
            }
        }
        return missing;
    }

    private static JsonNode worker(JsonNode report) {
        JsonNode worker = report.path("worker");
        if (worker.isMissingNode()) {
            throw new IllegalArgumentException("a report without \"worker\": not a load run's report");
        }
        return worker;
    }

    private static Map<String, Object> connect(List<JsonNode> workers) {
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("opened", workers.stream().mapToLong(r -> r.path("connect").path("opened").asLong()).sum());
        // The workers connect side by side: the slowest one says when all were open.
        connect.put("seconds", workers.stream().mapToDouble(r -> r.path("connect").path("seconds").asDouble())
                .max().orElse(0));
        Map<String, Long> failures = new TreeMap<>();
        workers.forEach(r -> r.path("connect").path("failures").properties()
                .forEach(e -> failures.merge(e.getKey(), e.getValue().asLong(), Long::sum)));
        connect.put("failures", failures);
        connect.put("complete", workers.stream().allMatch(r -> r.path("connect").path("complete").asBoolean()));
        return connect;
    }

    /** The workers' seconds added up by wall-clock second: deliveries summed, histograms merged. */
    private static List<Map<String, Object>> timeline(List<JsonNode> workers) {
        TreeMap<Long, long[]> counts = new TreeMap<>();
        Map<Long, Histogram> latencies = new LinkedHashMap<>();
        for (JsonNode report : workers) {
            for (JsonNode point : report.path("timeline")) {
                long second = Math.round(point.path("epochMillis").asLong() / 1000.0);
                long[] sums = counts.computeIfAbsent(second, s -> new long[2]);
                sums[0] += point.path("published").asLong();
                sums[1] += point.path("delivered").asLong();
                latencies.computeIfAbsent(second, s -> new Histogram(LatencyStats.MAX_MICROS, 3))
                        .add(Histograms.decode(point.path("latencyHistogram").asText()));
            }
        }
        Timeline timeline = new Timeline();
        counts.forEach((second, sums) -> timeline.add(second * 1000, sums[0], sums[1], latencies.get(second)));
        return timeline.points();
    }

    /** One line per worker in the merged report, to spot the one that differs. */
    private static Map<String, Object> summary(JsonNode report) {
        Map<String, Object> line = new LinkedHashMap<>();
        JsonNode worker = worker(report);
        line.put("index", worker.path("index").asInt());
        line.put("firstUser", worker.path("firstUser").asLong());
        line.put("users", worker.path("users").asLong());
        line.put("delivered", report.path("delivered").asLong());
        line.put("lost", report.path("lost").asLong());
        line.put("duplicated", report.path("duplicated").asLong());
        line.put("misrouted", report.path("misrouted").asLong());
        line.put("p99Ms", report.path("latencyMs").path("p99").asDouble());
        return line;
    }

    private static String distinct(List<JsonNode> workers, String field) {
        return String.join(" ", workers.stream().map(r -> r.path(field).asText()).distinct().toList());
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
