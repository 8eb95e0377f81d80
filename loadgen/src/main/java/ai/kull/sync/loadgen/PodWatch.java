package ai.kull.sync.loadgen;

import ai.kull.sync.loadgen.bench.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One gateway pod watched over a phase of a run (a resume storm): its process CPU time (the pod runs on this
 * machine: {@code --pod-pid}), its used heap sampled from its metrics every {@link #HEAP_EVERY} (the peak, garbage
 * included: what -Xmx must hold), the increase of its log-replay counters, which a pod without them reports as
 * absent (null in the figures), not as 0, and its own histograms over the phase (the bucket increases between the
 * phase's first and last scrape): live delivery latency, all types summed, and replay completion.
 */
final class PodWatch {

    private static final Duration HEAP_EVERY = Duration.ofMillis(250);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final long pid;
    private final URI metrics;
    private long startedNanos;
    private Duration cpuBefore;
    private double recordsBefore;
    private double passesBefore;
    private double requestsBefore;
    private Histogram deliveryBefore;
    private Histogram completionBefore;
    private volatile double heapPeak = Double.NaN;
    private volatile boolean sampling;
    private Thread sampler;

    /** @param pid the pod's process id, or -1 for no CPU figure */
    PodWatch(long pid, URI metrics) {
        this.pid = pid;
        this.metrics = metrics;
    }

    /** Starts the phase: CPU and counters as they are now, heap sampling. */
    void start() {
        String scrape = scrape();
        recordsBefore = PodMetrics.sum(scrape, PodMetrics.LOG_RECORDS_READ, null, true);
        passesBefore = PodMetrics.sum(scrape, PodMetrics.LOG_PASSES, null, true);
        requestsBefore = PodMetrics.sum(scrape, PodMetrics.LOG_REQUESTS, null, true);
        deliveryBefore = Histogram.parse(scrape, PodMetrics.DELIVERY_LATENCY);
        completionBefore = Histogram.parse(scrape, PodMetrics.REPLAY_COMPLETION);
        cpuBefore = cpu();
        startedNanos = System.nanoTime();
        heapPeak = Double.NaN;
        sampling = true;
        sampler = new Thread(() -> {
            while (sampling) {
                double heap = PodMetrics.sum(scrape(), "jvm_memory_used_bytes", "area=\"heap\"", true);
                if (!Double.isNaN(heap) && !(heap <= heapPeak)) {
                    heapPeak = heap;
                }
                try {
                    Thread.sleep(HEAP_EVERY.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "loadgen-pod-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * Ends the phase: the pod's CPU seconds and cores busy, peak used heap, log-replay counters' increase, and its
     * delivery latency and replay completion over the phase ({@link #quantiles}).
     */
    Map<String, Object> stop() throws InterruptedException {
        Duration cpu = cpu().minus(cpuBefore);
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        sampling = false;
        sampler.interrupt();
        sampler.join();
        String scrape = scrape();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("cpuSeconds", pid < 0 ? null : LoadRun.round(cpu.toMillis() / 1000.0));
        figures.put("cores", pid < 0 ? null : LoadRun.round(cpu.toMillis() / 1000.0 / seconds));
        figures.put("heapPeakBytes", Double.isNaN(heapPeak) ? null : (long) heapPeak);
        figures.put("logRecordsRead", increase(PodMetrics.sum(scrape, PodMetrics.LOG_RECORDS_READ, null, true), recordsBefore));
        figures.put("logPasses", increase(PodMetrics.sum(scrape, PodMetrics.LOG_PASSES, null, true), passesBefore));
        figures.put("logRequests", increase(PodMetrics.sum(scrape, PodMetrics.LOG_REQUESTS, null, true), requestsBefore));
        figures.put("deliveryLatency", quantiles(Histogram.parse(scrape, PodMetrics.DELIVERY_LATENCY), deliveryBefore));
        figures.put("replayCompletion", quantiles(Histogram.parse(scrape, PodMetrics.REPLAY_COMPLETION), completionBefore));
        return figures;
    }

    /**
     * The observations of a histogram between two scrapes: their count, p50 and p99 in ms, each the upper bound of
     * the bucket it falls into (null above the highest finite bound: {@code aboveHighestBound} of them, over
     * {@code highestBoundMs}); null when either scrape lacks the histogram (a pod without it, or one that did not
     * answer: read from its start instead, the figures would not be the phase's).
     */
    static Map<String, Object> quantiles(Histogram after, Histogram before) {
        if (after.bounds().length == 0 || before.bounds().length == 0) {
            return null;
        }
        Histogram phase = after.minus(before);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("count", (long) phase.count());
        figures.put("p50Ms", ms(phase.upperBound(0.5)));
        figures.put("p99Ms", ms(phase.upperBound(0.99)));
        figures.put("aboveHighestBound", (long) phase.aboveHighestBound());
        figures.put("highestBoundMs", ms(phase.highestBound()));
        return figures;
    }

    /** Seconds as ms; null for no figure (NaN) or one above every finite bound (infinite). */
    private static Double ms(double seconds) {
        return Double.isNaN(seconds) || Double.isInfinite(seconds) ? null : LoadRun.round(seconds * 1000);
    }

    private static Long increase(double after, double before) {
        return Double.isNaN(after) ? null : (long) (after - (Double.isNaN(before) ? 0 : before));
    }

    private Duration cpu() {
        return pid < 0 ? Duration.ZERO
                : ProcessHandle.of(pid).flatMap(handle -> handle.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /** The pod's scrape, empty when it does not answer (the figures then read as absent). */
    private String scrape() {
        try {
            return http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
