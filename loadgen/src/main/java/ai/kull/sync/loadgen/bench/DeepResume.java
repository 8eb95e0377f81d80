package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * 8. Deep resume ({@code deep-resume}): devices away longer than the pod's replay window resume at once (issue 22:
 * from the Kafka log; a gateway that replays only from its window answers each one RESYNC_REQUIRED, which is
 * counted, not failed). One pod per run, started with a small window ({@code DEEP_WINDOW_SECONDS}, at most
 * {@code DEEP_WINDOW_MAX_BYTES}) so "longer than the window" takes seconds; the loadgen's {@code deep-resume}
 * command drives the devices and watches the pod during the storm and the phase without it, {@link #podRun} reads
 * the pod's heap after a full GC at its markers: with every device connected before they leave, and once all have
 * answered. {@link DeepHeap} (9) runs the same with more traffic missed.
 */
final class DeepResume implements Scenario {

    static final double MIB = 1024 * 1024;

    /** What one run measured: the loadgen's report and the pod's heap after a full GC before and after. */
    record Run(JsonNode report, double heapBefore, double heapAfter) {
        double mib(String path) {
            return Math.round(num(report, path) / MIB * 10) / 10.0;
        }
    }

    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        Table table = r.table;
        int sessions = s.integer("DEEP_SESSIONS");
        int away = s.integer("DEEP_AWAY_SECONDS");
        int window = s.integer("DEEP_WINDOW_SECONDS");
        int admission = s.integer("DEEP_ADMISSION");
        log("8. deep resume: %d devices away %d s (window %d s) resume at once", sessions, away, window);
        Run run = podRun(r, "deep-resume", 0);
        JsonNode report = run.report();
        double resumed = num(report, "storm.resumed");
        double resyncs = num(report, "storm.resyncRequired");
        double records = num(report, "pod.storm.logRecordsRead");
        String conditions = sessions + " devices away " + away + " s, window " + window + " s, admission " + admission
                + "/s, " + s.integer("DEEP_RATE") + " events/s to their users; " + s.integer("DEEP_LIVE_SESSIONS")
                + " live devices, " + s.integer("DEEP_LIVE_RATE") + " events/s to theirs";
        table.add("deep-time", Fig.text("8. deep resume: seconds until all answered PENDING_CHECK_COMPLETE or "
                        + "RESYNC_REQUIRED (" + conditions + ")"), Fig.of("{}", num(report, "storm.secondsUntilAllAnswered")),
                Fig.EMPTY, Fig.EMPTY, "(>= " + Table.number((double) sessions / admission, false)
                        + " s by the admission bound)");
        table.add("deep-outcome", Fig.text("8. deep resume: resumed / resync required / no answer"),
                Fig.of("{} / {} / {}", resumed, resyncs, num(report, "storm.noAnswer")), Fig.EMPTY, Fig.EMPTY, "all / 0 / 0");
        table.add("deep-loss", Fig.of("8. deep resume: lost (live and resumed devices) / duplicated / missed by the "
                        + "devices told to resync ({} events published to the away devices' users while away)",
                        num(report, "away.missedEvents")),
                Fig.of("{} / {} / {}", num(report, "lost"), num(report, "duplicated"), num(report, "missedAfterResync")),
                Fig.EMPTY, Fig.EMPTY, "0 / 0 / 0");
        table.add("deep-log", Fig.text("8. deep resume: records read from the log per resumed device (in all), passes "
                        + "over the log (increase of `" + PodMetrics.LOG_RECORDS_READ + "`, `" + PodMetrics.LOG_PASSES
                        + "` during the storm)"),
                Fig.of("{} ({}), {} passes", resumed > 0 ? Math.round(records / resumed * 10) / 10.0 : Double.NaN,
                        records, num(report, "pod.storm.logPasses")), Fig.EMPTY, Fig.EMPTY, "");
        table.add("deep-cpu", Fig.text("8. deep resume: pod CPU during the storm, seconds (cores busy), vs the "
                        + "cores busy without it; ratio of cores busy"),
                Fig.of("{} s ({2} cores)", num(report, "pod.storm.cpuSeconds"), num(report, "pod.storm.cores")),
                Fig.of("{2} cores", num(report, "pod.withoutStorm.cores")),
                Fig.of("{2}", num(report, "pod.storm.cores") / num(report, "pod.withoutStorm.cores")), "");
        table.add("deep-pod-heap", Fig.text("8. deep resume: pod heap MiB, used after full GC with all devices connected "
                        + "before they left / peak used during the storm (sampled every 250 ms, garbage included; "
                        + "baseline: the same without the storm) / used after full GC once all answered"),
                Fig.of("{} / {} / {}", mib(run.heapBefore()), run.mib("pod.storm.heapPeakBytes"), mib(run.heapAfter())),
                Fig.of("peak {}", run.mib("pod.withoutStorm.heapPeakBytes")), Fig.EMPTY, "");
        double storm99 = num(report, "liveLatencyMs.storm.p99");
        double quiet99 = num(report, "liveLatencyMs.withoutStorm.p99");
        table.add("deep-live", Fig.text("8. deep resume: live devices' delivery p99 ms (end to end), during the storm "
                        + "vs the last " + (away - away / 2) + " s of the away time (no storm); ratio storm/without"),
                Fig.of("{} ({} deliveries)", storm99, num(report, "liveLatencyMs.storm.count")),
                Fig.of("{} ({} deliveries)", quiet99, num(report, "liveLatencyMs.withoutStorm.count")),
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
                Fig.of("{} / {} ({} deliveries)", num(report, own + "p50Ms"), num(report, own + "p99Ms"), num(report, own + "count")),
                Fig.of("{} / {} ({} deliveries)", num(report, quiet + "p50Ms"), num(report, quiet + "p99Ms"),
                        num(report, quiet + "count")),
                Fig.of("p50 {2}, p99 {2}", num(report, own + "p50Ms") / num(report, quiet + "p50Ms"),
                        num(report, own + "p99Ms") / num(report, quiet + "p99Ms")), "~1 (live delivery must not suffer)");
        String completion = "pod.storm.replayCompletion.";
        table.add("deep-completion", Fig.text("8. deep resume: the pod's replay completion, attach to "
                        + "PENDING_CHECK_COMPLETE, ms p50 / p99, each the upper bound of the histogram bucket it falls "
                        + "into (increase of `" + PodMetrics.REPLAY_COMPLETION + "` during the storm)"),
                Fig.of("{} / {} ({} resumes)", num(report, completion + "p50Ms"), num(report, completion + "p99Ms"),
                        num(report, completion + "count")), Fig.EMPTY, Fig.EMPTY, "");
        double requests = num(report, "pod.storm.logRequests");
        table.add("deep-log-requests", Fig.text("8. deep resume: log replay requests per resumed device (in all) "
                        + "(increase of `" + PodMetrics.LOG_REQUESTS + "` during the storm)"),
                Fig.of("{2} ({})", resumed > 0 ? requests / resumed : Double.NaN, requests), Fig.EMPTY, Fig.EMPTY, "");
        explain(r, report, sessions);
    }

    /** Notes for what today's gateway, or an incomplete run, makes of the figures. */
    private static void explain(Repeat repeat, JsonNode r, int sessions) {
        List<String> notes = repeat.notes;
        int number = repeat.number;
        if (num(r, "storm.resyncRequired") >= num(r, "awayDevices")) {
            notes.add("Deep resume, repeat " + number + ": every device away longer than the window was answered "
                    + "RESYNC_REQUIRED (the pod replays from its in-memory window only): the missed events are the "
                    + "devices' loss by design, and there is no log read to count.");
        }
        if (Double.isNaN(num(r, "pod.storm.logRecordsRead"))) {
            notes.add("Deep resume: the pod has no `" + PodMetrics.LOG_RECORDS_READ + "` / `" + PodMetrics.LOG_PASSES
                    + "` metrics, so records read from the log are n/a.");
        }
        if (num(r, "storm.noAnswer") > 0) {
            notes.add("Deep resume, repeat " + number + ": " + (long) num(r, "storm.noAnswer") + " of " + sessions
                    + " devices had no answer within DEEP_RESUME_TIMEOUT_SECONDS; they count in lost.");
        }
        for (String phase : List.of("storm.deliveryLatency", "withoutStorm.deliveryLatency", "storm.replayCompletion")) {
            String[] path = phase.split("\\.");
            JsonNode figures = r.path("pod").path(path[0]).path(path[1]);
            if (!figures.isObject()) {
                notes.add("Deep resume, repeat " + number + ": no `pod." + phase + "` figures (the pod's histogram "
                        + "was missing from a scrape at a phase boundary): its quantiles are n/a.");
            } else if (num(figures, "aboveHighestBound") > 0) {
                notes.add("Deep resume, repeat " + number + ": " + (long) num(figures, "aboveHighestBound") + " of "
                        + (long) num(figures, "count") + " observations in `pod." + phase + "` lie above the "
                        + "histogram's highest bound, " + Table.number(num(figures, "highestBoundMs"), false)
                        + " ms (a quantile there reads n/a).");
            }
        }
        if (num(r, "liveLatencyMs.storm.count") < 1000) {
            notes.add("Deep resume, repeat " + number + ": the live devices' p99 during the storm rests on "
                    + (long) num(r, "liveLatencyMs.storm.count") + " deliveries (a short storm); raise DEEP_LIVE_RATE "
                    + "for a firmer figure.");
        }
    }

    /**
     * One pod with a DEEP_WINDOW_SECONDS window, one {@code deep-resume} load run against it; {@code missed} events
     * are published to the away devices' users in a burst after they leave.
     */
    static Run podRun(Repeat r, String name, long missed) throws Exception {
        Settings s = r.settings;
        Processes p = r.processes;
        int sessions = s.integer("DEEP_SESSIONS");
        int live = s.integer("DEEP_LIVE_SESSIONS");
        int admission = s.integer("DEEP_ADMISSION");
        int away = s.integer("DEEP_AWAY_SECONDS");
        int resumeTimeout = s.integer("DEEP_RESUME_TIMEOUT_SECONDS");
        Server pod = p.pod("gw-" + name, Map.of(
                "GATEWAY_REPLAY_WINDOW", s.integer("DEEP_WINDOW_SECONDS") + "s",
                "GATEWAY_REPLAY_MAX_BYTES", "" + s.integer("DEEP_WINDOW_MAX_BYTES"),
                "GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "" + admission));
        try {
            String[] args = {"deep-resume", "--gateways", pod.url(), "--away-devices", "" + sessions,
                    "--live-devices", "" + live, "--rate", "" + s.integer("DEEP_RATE"),
                    "--live-rate", "" + s.integer("DEEP_LIVE_RATE"), "--missed-events", "" + missed,
                    "--burst-rate", "" + s.integer("DEEP_BURST_RATE"), "--away", away + "s", "--before", "8s",
                    "--connect-rate", "" + admission, "--connect-timeout", "180s",
                    "--resume-timeout", resumeTimeout + "s", "--bootstrap", p.bootstrap,
                    "--jwt-secret", Processes.JWT_SECRET, "--pod-pid", "" + pod.process().pid(),
                    "--metrics-url", pod.metricsUrl()};
            log("%s: loadgen %s", name, String.join(" ", args));
            ManagedProcess run = p.loadgenInBackground(name, args);
            run.awaitLogLine("LOADGEN_CONNECTED", Duration.ofSeconds(200 + (sessions + live) / admission));
            // During the 8 s before the devices leave: every device connected, the GC pause in no measured phase.
            Processes.Memory before = p.afterFullGc(pod);
            long burstSeconds = missed / Math.max(1, s.integer("DEEP_BURST_RATE"));
            run.awaitLogLine("LOADGEN_RESUMED", Duration.ofSeconds(8 + 3 * burstSeconds + 60 + away + resumeTimeout + 60));
            // During the loadgen's 10 s tail: every device back, events still flowing.
            Processes.Memory after = p.afterFullGc(pod);
            JsonNode report = p.finish(run, Duration.ofMinutes(3), 40);
            log("%s: heap after full GC %.1f MiB before, %.1f MiB after", name, before.heap() / MIB, after.heap() / MIB);
            return new Run(report, before.heap(), after.heap());
        } finally {
            pod.stop();
        }
    }

    static double mib(double bytes) {
        return Math.round(bytes / MIB * 10) / 10.0;
    }
}
