package ai.kull.sync.loadgen.bench;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.loadgen.charts.Chart;
import ai.kull.sync.loadgen.charts.LoadCharts;
import ai.kull.sync.loadgen.report.Histograms;
import ai.kull.sync.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * 3. Latency: the maximum sustainable rate of one pod, then the latency the gateway adds over a bare consumer at
 * half of it. The search starts from the fan-out's {@link Fanout.Maximum} when the fan-out ran before it in the
 * repeat (handed on, not measured twice), else from FANOUT_RATE. Its own pod: the search's first, saturated
 * steps warm it up as the fan-out warmed the pod it measured.
 */
final class Latency implements Scenario {

    /** The gateway's delivery-latency histogram (GatewayMetrics), as Prometheus names it. */
    static final String DELIVERY_LATENCY = PodMetrics.DELIVERY_LATENCY;
    /** Its series of the events the loadgen publishes (presence events of connecting sessions left out). */
    static final String PUBLISHED_TYPE = "type=\"" + MessageType.CREDIT_UPDATE.name() + "\"";
    /** The lowest rate the search tries, events/s. */
    static final int LOWEST_RATE = 50;
    /** Percentiles the gateway's own histogram is drawn at, as far into the tail as its count allows. */
    private static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.9};

    @Override
    public String method() {
        return "The gateway's own latency: the increase of the pod's `" + DELIVERY_LATENCY + "` histogram (its "
                + "series of the loadgen's events, " + PUBLISHED_TYPE.replace("\"", "") + ") between a scrape when "
                + "the loadgen's warm-up ends (its LOADGEN_MEASURING line) and one after the run: the deliveries the "
                + "devices' end-to-end figures cover. It starts at the record's Kafka timestamp (the producer's "
                + "clock at send), so it includes the trip through the broker, which the bare consumer's end-to-end "
                + "figure measures alone. Quantiles by linear interpolation within the bucket the rank falls into, "
                + "as Prometheus' `histogram_quantile` does; latencies are recorded in whole milliseconds, \"within "
                + "5 ms\" is read off the 5 ms bucket's count, and the bucket bounds are under Notes.";
    }

    /**
     * Where the search starts, events/s: the fan-out maximum, or a fifth below it when the fan-out run itself
     * already exceeded the p99 bound; FANOUT_RATE (offered, never more than a pod delivered) without a fan-out.
     */
    static int firstRate(Optional<Fanout.Maximum> fanout, int offered, int maxP99) {
        // Not above 0 includes NaN: a fan-out run that reported no rate.
        if (fanout.isEmpty() || !(fanout.get().eventsPerSecond() > 0)) {
            return offered;
        }
        int rate = (int) fanout.get().eventsPerSecond();
        return fanout.get().p99Ms() > maxP99 ? rate * 4 / 5 : rate;
    }

    @Override
    public void run(Repeat r) throws Exception {
        log("3. latency: the maximum sustainable rate, then half of it with a bare consumer alongside");
        Server pod = r.processes.pod("gw-latency", Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000"));
        try {
            int rate = findSustainable(r, pod) / 2;
            if (rate <= 0) {
                log("no sustainable rate found");
                r.notes.add("Repeat " + r.number + ": no sustainable rate found (latency not measured).");
                return;
            }
            measure(r, pod, rate);
        } finally {
            pod.stop();
        }
    }

    // The highest offered rate the pod keeps up with: every event delivered to every device within the run and
    // the p99 bounded (SUSTAIN_P99_MS). Saturated, the fan-out's p99 is seconds: queues grow for as long as the
    // load lasts, so half of that rate is not "half the maximum sustainable rate". Steps down by a fifth at a
    // time from firstRate. Returns events/s
    // (x FANOUT_DEVICES deliveries), 0 if none.
    private static int findSustainable(Repeat r, Server pod) throws IOException {
        Settings s = r.settings;
        int rate = firstRate(r.result(Fanout.Maximum.class), s.integer("FANOUT_RATE"), s.integer("SUSTAIN_P99_MS"));
        List<double[]> steps = new ArrayList<>(); // offered deliveries/s, delivered/s, p99 ms
        int sustainable = search(r, pod, rate, steps);
        chartSearch(r, steps);
        return sustainable;
    }

    private static int search(Repeat r, Server pod, int firstRate, List<double[]> steps) throws IOException {
        Settings s = r.settings;
        int devices = s.integer("FANOUT_DEVICES");
        int maxP99 = s.integer("SUSTAIN_P99_MS");
        int duration = s.integer("SUSTAIN_SECONDS");
        for (int step = 1, rate = firstRate; rate >= LOWEST_RATE; step++, rate = rate * 4 / 5) {
            JsonNode run = r.processes.loadgen("sustain-" + step, r.loadTimeout(duration), r.loadArgs(pod.url(),
                    s.integer("FANOUT_USERS"), devices, rate, duration, "--drain-timeout", "5s", "--linger-ms", "0"));
            double delivered = num(run, "deliveredPerSecond");
            double p99 = num(run, "latencyMs.p99");
            double lost = num(run, "lost");
            log("sustain %d events/s: %s deliveries/s, p99 %s ms, lost %s", rate, delivered, p99, lost);
            steps.add(new double[] {(double) rate * devices, delivered, p99});
            if (delivered >= 0.97 * rate * devices && p99 <= maxP99 && lost == 0) {
                r.table.add("sustainable", Fig.text("3. maximum sustainable rate: events/s x " + devices + " devices "
                                + "(delivered >= 97% of offered, p99 <= " + maxP99 + " ms, none lost; stepped down "
                                + "from the fan-out maximum)"),
                        Fig.of("{} ({} deliveries/s, p99 {} ms)", rate, delivered, p99), Fig.EMPTY, Fig.EMPTY, "");
                return rate;
            }
        }
        return 0;
    }

    /** The search's steps, one line per repeat (each repeat steps from its own fan-out maximum). */
    static void chartSearch(Repeat r, List<double[]> steps) {
        if (steps.isEmpty()) {
            return;
        }
        double[] offered = steps.stream().mapToDouble(step -> step[0]).toArray();
        String series = "repeat " + r.number;
        r.charts.lines("latency-search-rate", "3. latency: the search for the maximum sustainable rate, delivered "
                        + "against offered", "deliveries/s offered", "deliveries/s delivered")
                .line(series, offered, steps.stream().mapToDouble(step -> step[1]).toArray());
        r.charts.lines("latency-search-p99", "3. latency: p99 end to end at each step of the search (bound "
                        + r.settings.integer("SUSTAIN_P99_MS") + " ms)", "deliveries/s offered", "milliseconds")
                .line(series, offered, steps.stream().mapToDouble(step -> step[2]).toArray());
    }

    /**
     * The latency distributions at half the maximum sustainable rate: the gateway's own histogram ({@code own},
     * Prometheus buckets), the devices' end to end (the gateway run's report {@code g}, its HdrHistogram) and the
     * bare consumer's end to end (its report {@code b}, percentiles only).
     */
    static void chartDistribution(Repeat r, Histogram own, JsonNode g, JsonNode b) {
        BenchCharts.Lines chart = r.charts.percentiles("latency-distribution", "3. latency at half the maximum "
                + "sustainable rate: distribution", "milliseconds");
        // The p-th percentile needs 1 / (1 - p/100) deliveries (1,000 for the 99.9th; rounded: 1000.0000000000009).
        double[] percentiles = Arrays.stream(PERCENTILES).filter(p -> Math.round(1 / (1 - p / 100)) <= own.count())
                .toArray();
        chart.line("gateway's own (its histogram)", percentiles,
                Arrays.stream(percentiles).map(p -> Repeat.ms(own.quantile(p / 100))).toArray());
        String encoded = g.path("latency").path("histogram").asText(null);
        if (encoded != null) {
            Chart.Series devices = LoadCharts.distribution("end to end", Histograms.decode(encoded));
            chart.line("devices, end to end", devices.x(), devices.y());
        }
        // Its figures are 0 when it measured nothing (started after the publishing ended, on a loaded machine):
        // no line then, rather than one at 0 ms.
        if (num(b, "latencyMs.p99") > 0) {
            chart.line("bare consumer, end to end", new double[] {50, 95, 99},
                    new double[] {num(b, "latencyMs.p50"), num(b, "latencyMs.p95"), num(b, "latencyMs.p99")});
        }
    }

    private static void measure(Repeat r, Server pod, int rate) throws IOException {
        Settings s = r.settings;
        Processes p = r.processes;
        int duration = s.integer("LATENCY_SECONDS");
        int devices = s.integer("FANOUT_DEVICES");
        int warmup = s.integer("WARMUP_SECONDS");
        log("3. latency at %d events/s (half the maximum sustainable), bare consumer alongside", rate);
        // linger.ms 0: Kafka 4's producer otherwise holds each record up to 5 ms to fill a batch, time the
        // histogram (from the record's timestamp) would count as the gateway's.
        // The bare consumer measures the same window: it stands at the log's end before the load starts, and its
        // warm-up and window start with the first record, when the load generator's start with the first publish.
        ManagedProcess bareRun = p.loadgenInBackground("latency-bare", "bare-consumer", "--bootstrap", p.bootstrap,
                "--from", "end", "--warmup", warmup + "s", "--duration", duration + "s");
        bareRun.awaitLogLine("BARE_CONSUMER_READY", Repeat.withSlack(60));
        ManagedProcess gatewayRun = p.loadgenInBackground("latency-gateway", r.loadArgs(pod.url(),
                s.integer("FANOUT_USERS"), devices, rate, duration, "--linger-ms", "0"));
        // The pod's delivery-latency histogram counts since it started: the run's own observations are the
        // increase from the end of the warmup to the end of the run, the devices' own window. Read from the run's
        // start, it counted the warmup's deliveries too, which the devices leave out (once: p99 165 ms by the
        // histogram against 35 ms end to end).
        gatewayRun.awaitLogLine("LOADGEN_MEASURING", Repeat.withSlack(warmup + 60));
        Histogram before = Histogram.parse(pod.metrics(), DELIVERY_LATENCY, PUBLISHED_TYPE);
        Histogram addedBefore = Histogram.parse(pod.metrics(), PodMetrics.ADDED_LATENCY, PUBLISHED_TYPE);
        JsonNode b = p.finish(bareRun, Repeat.withSlack(warmup + duration + 60), 40);
        JsonNode g = p.finish(gatewayRun, r.loadTimeout(duration), 30);
        Histogram own = Histogram.parse(pod.metrics(), DELIVERY_LATENCY, PUBLISHED_TYPE).minus(before);
        Histogram added = Histogram.parse(pod.metrics(), PodMetrics.ADDED_LATENCY, PUBLISHED_TYPE).minus(addedBefore);
        log("gateway histogram: %.0f deliveries, p50 %.2f ms, p99 %.2f ms, p999 %.2f ms", own.count(),
                own.quantile(0.5) * 1000, own.quantile(0.99) * 1000, own.quantile(0.999) * 1000);
        r.notes.add("The delivery-latency histogram's bucket bounds, ms: " + Arrays.stream(own.bounds())
                .mapToObj(bound -> Double.isInfinite(bound) ? "+Inf" : Table.number(bound * 1000, false))
                .collect(Collectors.joining(", ")) + ".");
        if (own.count() == 0) {
            r.notes.add("Repeat " + r.number + ": the pod's " + DELIVERY_LATENCY + " histogram counted no delivery "
                    + "during the latency run (is it still registered with buckets?).");
        }
        r.table.add("latency-own", Fig.of("3. latency at the pod from the record's Kafka timestamp (broker included), "
                        + "p50 / p99 / p999 ms at {} events/s x " + devices + " devices (its " + DELIVERY_LATENCY
                        + " histogram, " + PUBLISHED_TYPE + ": record timestamp to socket write, the deliveries after "
                        + "the warmup)", rate),
                Fig.of("{} / {} / {} (within 5 ms: {2}%)", Repeat.ms(own.quantile(0.5)), Repeat.ms(own.quantile(0.99)),
                        Repeat.ms(own.quantile(0.999)), own.shareAtMost(0.005) * 100), Fig.EMPTY, Fig.EMPTY, "");
        r.table.add("latency-added", Fig.of("3. latency: what the gateway adds, p50 / p99 ms at {} events/s (its "
                        + PodMetrics.ADDED_LATENCY + " histogram, " + PUBLISHED_TYPE + ": poll to socket write)", rate),
                Fig.of("{} / {}", Repeat.ms(added.quantile(0.5)), Repeat.ms(added.quantile(0.99))), Fig.EMPTY, Fig.EMPTY,
                "<= 5 ms p99");
        chartDistribution(r, own, g, b);
        double g99 = num(g, "latencyMs.p99");
        double b99 = num(b, "latencyMs.p99");
        r.table.add("latency", Fig.of("3. latency end to end at {} events/s x " + devices + " devices, half the maximum "
                        + "sustainable: p50 / p99 ms (publish to device vs publish to bare consumer)", rate),
                Fig.of("{} / {}", num(g, "latencyMs.p50"), g99), Fig.of("{} / {}", num(b, "latencyMs.p50"), b99),
                Fig.of("p99 added: {2} ms", g99 - b99), "");
    }
}
