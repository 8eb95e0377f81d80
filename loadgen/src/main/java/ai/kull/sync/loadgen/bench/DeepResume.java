package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * Scenarios 8 ({@code deep-resume}) and 9 ({@code deep-heap}): devices away longer than the pod's replay window
 * resume at once (issue 22: from the Kafka log; a gateway that replays only from its window answers each one
 * RESYNC_REQUIRED, which is counted, not failed). One pod per run, started with a small window
 * ({@code DEEP_WINDOW_SECONDS}, at most {@code DEEP_WINDOW_MAX_BYTES}) so "longer than the window" takes seconds;
 * the loadgen's {@code deep-resume} command drives the devices and watches the pod during the storm and the phase
 * without it, this class reads the pod's heap after a full GC at its markers: with every device connected before
 * they leave, and once all have answered.
 */
final class DeepResume {

    private static final double MIB = 1024 * 1024;
    private final Settings s;
    private final Processes p;
    private final Table table;
    private final List<String> notes;
    private final int repeat;
    private final int base;

    DeepResume(Settings settings, Processes processes, Table table, List<String> notes, int repeat) {
        this.s = settings;
        this.p = processes;
        this.table = table;
        this.notes = notes;
        this.repeat = repeat;
        this.base = settings.integer("BASE_PORT");
    }

    /** What one run measured: the loadgen's report and the pod's heap after a full GC before and after. */
    private record Run(JsonNode report, double heapBefore, double heapAfter) {
        double mib(String path) {
            return Math.round(num(report, path) / MIB * 10) / 10.0;
        }
    }

    // --- 8. deep resume -----------------------------------------------------------------------------------
    void storm() throws Exception {
        int sessions = s.integer("DEEP_SESSIONS");
        int away = s.integer("DEEP_AWAY_SECONDS");
        int window = s.integer("DEEP_WINDOW_SECONDS");
        int admission = s.integer("DEEP_ADMISSION");
        log("8. deep resume: %d devices away %d s (window %d s) resume at once", sessions, away, window);
        Run run = run("deep-resume", base + 70, 0);
        JsonNode r = run.report();
        double resumed = num(r, "storm.resumed");
        double resyncs = num(r, "storm.resyncRequired");
        double records = num(r, "pod.storm.logRecordsRead");
        String conditions = sessions + " devices away " + away + " s, window " + window + " s, admission " + admission
                + "/s, " + s.integer("DEEP_RATE") + " events/s to their users; " + s.integer("DEEP_LIVE_SESSIONS")
                + " live devices, " + s.integer("DEEP_LIVE_RATE") + " events/s to theirs";
        table.add("deep-time", Fig.text("8. deep resume: seconds until all answered PENDING_CHECK_COMPLETE or "
                        + "RESYNC_REQUIRED (" + conditions + ")"), Fig.of("{}", num(r, "storm.secondsUntilAllAnswered")),
                Fig.EMPTY, Fig.EMPTY, "(>= " + Table.number((double) sessions / admission, false)
                        + " s by the admission bound)");
        table.add("deep-outcome", Fig.text("8. deep resume: resumed / resync required / no answer"),
                Fig.of("{} / {} / {}", resumed, resyncs, num(r, "storm.noAnswer")), Fig.EMPTY, Fig.EMPTY, "all / 0 / 0");
        table.add("deep-loss", Fig.of("8. deep resume: lost (live and resumed devices) / duplicated / missed by the "
                        + "devices told to resync ({} events published to the away devices' users while away)",
                        num(r, "away.missedEvents")),
                Fig.of("{} / {} / {}", num(r, "lost"), num(r, "duplicated"), num(r, "missedAfterResync")),
                Fig.EMPTY, Fig.EMPTY, "0 / 0 / 0");
        table.add("deep-log", Fig.text("8. deep resume: records read from the log per resumed device (in all), passes "
                        + "over the log (increase of `" + PodMetrics.LOG_RECORDS_READ + "`, `" + PodMetrics.LOG_PASSES
                        + "` during the storm)"),
                Fig.of("{} ({}), {} passes", resumed > 0 ? Math.round(records / resumed * 10) / 10.0 : Double.NaN,
                        records, num(r, "pod.storm.logPasses")), Fig.EMPTY, Fig.EMPTY, "");
        table.add("deep-cpu", Fig.text("8. deep resume: pod CPU during the storm, seconds (cores busy), vs the "
                        + "cores busy without it; ratio of cores busy"),
                Fig.of("{} s ({2} cores)", num(r, "pod.storm.cpuSeconds"), num(r, "pod.storm.cores")),
                Fig.of("{2} cores", num(r, "pod.withoutStorm.cores")),
                Fig.of("{2}", num(r, "pod.storm.cores") / num(r, "pod.withoutStorm.cores")), "");
        table.add("deep-pod-heap", Fig.text("8. deep resume: pod heap MiB, used after full GC with all devices connected "
                        + "before they left / peak used during the storm (sampled every 250 ms, garbage included; "
                        + "baseline: the same without the storm) / used after full GC once all answered"),
                Fig.of("{} / {} / {}", mib(run.heapBefore()), run.mib("pod.storm.heapPeakBytes"), mib(run.heapAfter())),
                Fig.of("peak {}", run.mib("pod.withoutStorm.heapPeakBytes")), Fig.EMPTY, "");
        double storm99 = num(r, "liveLatencyMs.storm.p99");
        double quiet99 = num(r, "liveLatencyMs.withoutStorm.p99");
        table.add("deep-live", Fig.text("8. deep resume: live devices' delivery p99 ms (end to end), during the storm "
                        + "vs the last " + (away - away / 2) + " s of the away time (no storm); ratio storm/without"),
                Fig.of("{} ({} deliveries)", storm99, num(r, "liveLatencyMs.storm.count")),
                Fig.of("{} ({} deliveries)", quiet99, num(r, "liveLatencyMs.withoutStorm.count")),
                Fig.of("{2}", storm99 / quiet99), "~1 (live delivery must not suffer)");
        // The pod's own figures, from the bucket increases of its histograms over each phase (PodWatch): a
        // quantile reads as the upper bound of the bucket it falls into (bounds 0.5, 1, 2.5, 5, 10, 25, 50 ms ...).
        String own = "pod.storm.deliveryLatency.";
        String quiet = "pod.withoutStorm.deliveryLatency.";
        table.add("deep-live-pod", Fig.text("8. deep resume: the pod's own live delivery p50 / p99 ms, each the upper "
                        + "bound of the histogram bucket it falls into (increase of `" + PodMetrics.DELIVERY_LATENCY
                        + "`, all types: record timestamp to socket write, replays left out; during the storm the "
                        + "resumed devices' live deliveries count too), during the storm vs the last "
                        + (away - away / 2) + " s of the away time (no storm); ratios storm/without"),
                Fig.of("{} / {} ({} deliveries)", num(r, own + "p50Ms"), num(r, own + "p99Ms"), num(r, own + "count")),
                Fig.of("{} / {} ({} deliveries)", num(r, quiet + "p50Ms"), num(r, quiet + "p99Ms"),
                        num(r, quiet + "count")),
                Fig.of("p50 {2}, p99 {2}", num(r, own + "p50Ms") / num(r, quiet + "p50Ms"),
                        num(r, own + "p99Ms") / num(r, quiet + "p99Ms")), "~1 (live delivery must not suffer)");
        String completion = "pod.storm.replayCompletion.";
        table.add("deep-completion", Fig.text("8. deep resume: the pod's replay completion, attach to "
                        + "PENDING_CHECK_COMPLETE, ms p50 / p99, each the upper bound of the histogram bucket it falls "
                        + "into (increase of `" + PodMetrics.REPLAY_COMPLETION + "` during the storm)"),
                Fig.of("{} / {} ({} resumes)", num(r, completion + "p50Ms"), num(r, completion + "p99Ms"),
                        num(r, completion + "count")), Fig.EMPTY, Fig.EMPTY, "");
        double requests = num(r, "pod.storm.logRequests");
        table.add("deep-log-requests", Fig.text("8. deep resume: log replay requests per resumed device (in all) "
                        + "(increase of `" + PodMetrics.LOG_REQUESTS + "` during the storm)"),
                Fig.of("{2} ({})", resumed > 0 ? requests / resumed : Double.NaN, requests), Fig.EMPTY, Fig.EMPTY, "");
        explain(r, sessions);
    }

    /** Notes for what today's gateway, or an incomplete run, makes of the figures. */
    private void explain(JsonNode r, int sessions) {
        if (num(r, "storm.resyncRequired") >= num(r, "awayDevices")) {
            notes.add("Deep resume, repeat " + repeat + ": every device away longer than the window was answered "
                    + "RESYNC_REQUIRED (the pod replays from its in-memory window only): the missed events are the "
                    + "devices' loss by design, and there is no log read to count.");
        }
        if (Double.isNaN(num(r, "pod.storm.logRecordsRead"))) {
            notes.add("Deep resume: the pod has no `" + PodMetrics.LOG_RECORDS_READ + "` / `" + PodMetrics.LOG_PASSES
                    + "` metrics, so records read from the log are n/a.");
        }
        if (num(r, "storm.noAnswer") > 0) {
            notes.add("Deep resume, repeat " + repeat + ": " + (long) num(r, "storm.noAnswer") + " of " + sessions
                    + " devices had no answer within DEEP_RESUME_TIMEOUT_SECONDS; they count in lost.");
        }
        for (String phase : List.of("storm.deliveryLatency", "withoutStorm.deliveryLatency", "storm.replayCompletion")) {
            String[] path = phase.split("\\.");
            JsonNode figures = r.path("pod").path(path[0]).path(path[1]);
            if (!figures.isObject()) {
                notes.add("Deep resume, repeat " + repeat + ": no `pod." + phase + "` figures (the pod's histogram "
                        + "was missing from a scrape at a phase boundary): its quantiles are n/a.");
            } else if (num(figures, "aboveHighestBound") > 0) {
                notes.add("Deep resume, repeat " + repeat + ": " + (long) num(figures, "aboveHighestBound") + " of "
                        + (long) num(figures, "count") + " observations in `pod." + phase + "` lie above the "
                        + "histogram's highest bound, " + Table.number(num(figures, "highestBoundMs"), false)
                        + " ms (a quantile there reads n/a).");
            }
        }
        if (num(r, "liveLatencyMs.storm.count") < 1000) {
            notes.add("Deep resume, repeat " + repeat + ": the live devices' p99 during the storm rests on "
                    + (long) num(r, "liveLatencyMs.storm.count") + " deliveries (a short storm); raise DEEP_LIVE_RATE "
                    + "for a firmer figure.");
        }
    }

    // --- 9. heap as the away time grows -------------------------------------------------------------------
    // "X minutes of traffic at DEEP_RATE" is X * 60 * DEEP_RATE events to the away devices' users, published at
    // DEEP_BURST_RATE right after they leave, then DEEP_AWAY_SECONDS at DEEP_RATE: the window then holds ordinary
    // traffic when they resume, and their cursors lie X minutes' worth of records back in the log. The window's
    // byte ring grows to hold a burst and keeps its size (up to GATEWAY_REPLAY_MAX_BYTES, 64 MiB: 126 MiB of heap
    // after GC once, against 33 MiB after the 1-minute run): DEEP_WINDOW_MAX_BYTES caps it so every run's window
    // is the same size and the heap after the resume tells what the resume kept.
    void heap() throws Exception {
        int rate = s.integer("DEEP_RATE");
        List<String> minutes = s.words("DEEP_HEAP_MINUTES");
        log("9. deep heap: %d devices miss %s minutes of traffic at %d events/s", s.integer("DEEP_SESSIONS"),
                String.join(", ", minutes), rate);
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < minutes.size(); i++) {
            int x = Integer.parseInt(minutes.get(i));
            Run run = run("deep-heap-" + x + "m", base + 71 + i, (long) x * 60 * rate);
            runs.add(run);
            JsonNode r = run.report();
            table.add("deep-heap-" + x, Fig.of("9. deep heap: " + x + " min of traffic at " + rate + " events/s missed "
                                    + "({} events to the away devices' users while away, {} of them at {} events/s): "
                                    + "heap MiB after full GC before / after the resume, peak during; resumed / "
                                    + "resync; records read from the log per resumed device",
                            num(r, "away.missedEvents"), num(r, "away.burstEvents"),
                            Math.round(num(r, "away.burstEvents") / num(r, "away.burstSeconds"))),
                    Fig.of("{} / {}, peak {}; {} / {}; {}", mib(run.heapBefore()), mib(run.heapAfter()),
                            run.mib("pod.storm.heapPeakBytes"), num(r, "storm.resumed"), num(r, "storm.resyncRequired"),
                            num(r, "storm.resumed") > 0 ? num(r, "pod.storm.logRecordsRead") / num(r, "storm.resumed") : Double.NaN),
                    Fig.EMPTY, Fig.EMPTY, "");
        }
        if (runs.size() > 1) {
            Run first = runs.get(0);
            Run last = runs.get(runs.size() - 1);
            table.add("deep-heap-flat", Fig.text("9. deep heap: heap after full GC after the resume, MiB, "
                            + minutes.get(minutes.size() - 1) + " min missed vs " + minutes.get(0) + " min"),
                    Fig.of("{}", mib(last.heapAfter())), Fig.of("{}", mib(first.heapAfter())),
                    Fig.of("{2}", last.heapAfter() / first.heapAfter()), "~1 (flat)");
        }
    }

    /**
     * One pod with a DEEP_WINDOW_SECONDS window, one {@code deep-resume} load run against it; {@code missed} events
     * are published to the away devices' users in a burst after they leave.
     */
    private Run run(String name, int port, long missed) throws Exception {
        int sessions = s.integer("DEEP_SESSIONS");
        int live = s.integer("DEEP_LIVE_SESSIONS");
        int admission = s.integer("DEEP_ADMISSION");
        int away = s.integer("DEEP_AWAY_SECONDS");
        int resumeTimeout = s.integer("DEEP_RESUME_TIMEOUT_SECONDS");
        ManagedProcess pod = p.awaitReady(p.gateway("gw-" + name, port, Map.of(
                "GATEWAY_REPLAY_WINDOW", s.integer("DEEP_WINDOW_SECONDS") + "s",
                "GATEWAY_REPLAY_MAX_BYTES", "" + s.integer("DEEP_WINDOW_MAX_BYTES"),
                "GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "" + admission)), port);
        try {
            String[] args = {"deep-resume", "--gateways", "ws://localhost:" + port, "--away-devices", "" + sessions,
                    "--live-devices", "" + live, "--rate", "" + s.integer("DEEP_RATE"),
                    "--live-rate", "" + s.integer("DEEP_LIVE_RATE"), "--missed-events", "" + missed,
                    "--burst-rate", "" + s.integer("DEEP_BURST_RATE"), "--away", away + "s", "--before", "8s",
                    "--connect-rate", "" + admission, "--connect-timeout", "180s",
                    "--resume-timeout", resumeTimeout + "s", "--bootstrap", p.bootstrap,
                    "--jwt-secret", Processes.JWT_SECRET, "--pod-pid", "" + pod.pid(),
                    "--metrics-url", "http://localhost:" + port + "/q/metrics"};
            log("%s: loadgen %s", name, String.join(" ", args));
            ManagedProcess run = p.loadgenInBackground(name, args);
            run.awaitLogLine("LOADGEN_CONNECTED", Duration.ofSeconds(200 + (sessions + live) / admission));
            // During the 8 s before the devices leave: every device connected, the GC pause in no measured phase.
            Processes.Memory before = p.afterFullGc(pod, port);
            long burstSeconds = missed / Math.max(1, s.integer("DEEP_BURST_RATE"));
            run.awaitLogLine("LOADGEN_RESUMED", Duration.ofSeconds(8 + 3 * burstSeconds + 60 + away + resumeTimeout + 60));
            // During the loadgen's 10 s tail: every device back, events still flowing.
            Processes.Memory after = p.afterFullGc(pod, port);
            JsonNode report = p.finish(run, Duration.ofMinutes(3), 40);
            log("%s: heap after full GC %.1f MiB before, %.1f MiB after", name, before.heap() / MIB, after.heap() / MIB);
            return new Run(report, before.heap(), after.heap());
        } finally {
            Processes.stop(pod);
        }
    }

    private static double mib(double bytes) {
        return Math.round(bytes / MIB * 10) / 10.0;
    }
}
