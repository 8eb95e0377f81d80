package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Processes.Memory;
import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Repeat.perSessionKiB;

/**
 * 4. Connections: CONN_SESSIONS idle sessions on one pod, opened by two loadgen processes one after the other, and
 * the memory each costs. Memory per idle session is taken twice, when the first process (half the sessions) is
 * connected and when both are; each time right after a full GC, against the same before any session.
 */
final class Connections implements Scenario {

    private static final Pattern CONNECTED = Pattern.compile("LOADGEN_CONNECTED (\\d+) sessions in ([0-9.]+) s");
    /** The gateway's worker pool threads (Quarkus' {@code executor-thread-N}, as the kernel cuts the name). */
    private static final String WORKER_THREADS = "executor-thread";
    /** Worker threads the pool keeps when idle: {@code quarkus.thread-pool.core-threads}, left at Quarkus' 1. */
    private static final int CORE_WORKER_THREADS = 1;
    /** The goals per idle session, KiB: heap after full GC, and process RSS. */
    static final int HEAP_GOAL_KIB = 8;
    static final int RSS_GOAL_KIB = 12;

    @Override
    public String method() {
        return "Memory per idle session: used heap (the pod's metrics) and the pod's VmRSS (/proc/<pid>/status), "
                + "both right after a full GC (`jcmd GC.run`) with the sessions open and the connect burst's worker "
                + "threads ended, minus the same before any session, over the sessions open. The kernel's memory "
                + "for TCP sockets' buffers (/proc/net/sockstat, `TCP: ... mem` pages; not the per-socket kernel "
                + "structures) is not in the RSS and is given apart: it is machine-wide (other processes' sockets "
                + "move it too), and on loopback it counts both ends of every connection (the pod's and the "
                + "loadgen's sockets).";
    }

    @Override
    public void run(Repeat r) throws Exception {
        Processes p = r.processes;
        int sessions = r.settings.integer("CONN_SESSIONS");
        int half = sessions / 2;
        log("4. connections: %d idle sessions on one pod", sessions);
        Server pod = p.pod("gw-conn", Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000"));
        List<ManagedProcess> runs = new ArrayList<>();
        try {
            Memory before = p.afterFullGc(pod);
            long workersBefore = ProcStats.threadsNamed(pod.process().pid(), WORKER_THREADS);
            // Held until stopped below: longer than both connect timeouts and the measurements.
            int hold = 2 * 180 + 60 + sessions / 200 + r.settings.integer("CONN_SETTLE_TIMEOUT_SECONDS") * 2;
            double[] open = new double[2];
            Memory[] with = new Memory[2];
            for (String part : List.of("a", "b")) {
                ManagedProcess run = p.idleSessions("conn-" + part, pod.url(),
                        part.equals("a") ? half : sessions - half, hold, "sync");
                runs.add(run);
                try {
                    run.awaitLogLine("LOADGEN_CONNECTED", Duration.ofSeconds(200));
                } catch (ProcessFailure late) {
                    if (!run.isAlive()) {
                        throw late;
                    }
                    log("%s: not all sessions open after 200 s", run.name());
                }
                awaitIdle(r, pod, workersBefore);
                open[runs.size() - 1] = pod.metricSum("sync_gateway_sessions", null, false);
                with[runs.size() - 1] = p.afterFullGc(pod);
            }
            double[] connectSeconds = new double[2];
            for (int i = 0; i < 2; i++) {
                ManagedProcess run = runs.get(i);
                Processes.stop(run);
                Matcher connected = CONNECTED.matcher(run.logText());
                connectSeconds[i] = Double.NaN;
                if (connected.find()) {
                    System.out.println(connected.group());
                    connectSeconds[i] = Double.parseDouble(connected.group(2));
                }
            }
            report(r, before, open, with, connectSeconds);
        } finally {
            runs.forEach(Processes::stop);
            pod.stop();
        }
    }

    /**
     * Idle means after the connect burst: the worker threads the blocking opens started end after the pool's 30 s
     * keep-alive, and their stacks are no cost of a session. Waits until the pod has no more of them than before
     * the sessions (or the pool's core thread).
     */
    private static void awaitIdle(Repeat r, Server pod, long workersBefore) throws IOException {
        long idle = Math.max(workersBefore, CORE_WORKER_THREADS);
        long pid = pod.process().pid();
        log("connections: waiting for the pod's worker threads to end (%d now, %d before the sessions)",
                ProcStats.threadsNamed(pid, WORKER_THREADS), workersBefore);
        Processes.await(pod.process(), "the connect burst's worker threads ended (at most " + idle + " left)",
                Duration.ofSeconds(r.settings.integer("CONN_SETTLE_TIMEOUT_SECONDS")),
                () -> ProcStats.threadsNamed(pid, WORKER_THREADS) <= idle);
    }

    /**
     * The rows and charts of one repeat: memory {@code before} any session, and {@code with} the sessions
     * {@code open} when the first loadgen process had connected and when both had.
     */
    static void report(Repeat r, Memory before, double[] open, Memory[] with, double[] connectSeconds) {
        Memory all = with[1];
        double heap = perSessionKiB(all.heap() - before.heap(), open[1]);
        double rss = perSessionKiB(all.rss() - before.rss(), open[1]);
        double tcp = perSessionKiB(all.tcp() - before.tcp(), open[1]);
        log("open sessions %.0f: heap %.0f -> %.0f, RSS %.0f -> %.0f, TCP sockets %.0f -> %.0f bytes; per session "
                + "%s / %s / %s KiB", open[1], before.heap(), all.heap(), before.rss(), all.rss(), before.tcp(), all.tcp(),
                heap, rss, tcp);
        Table table = r.table;
        table.add("conn-open", Fig.text("4. connections: idle sessions open on one pod"), Fig.of("{}", open[1]),
                Fig.EMPTY, Fig.EMPTY, ">= 20000");
        table.add("conn-heap", Fig.of("4. connections: heap per idle session (KiB; used heap after full GC, {} sessions "
                + "vs none)", open[1]), Fig.of("{}", heap), Fig.EMPTY, Fig.EMPTY, "<= " + HEAP_GOAL_KIB + " KiB");
        table.add("conn-rss", Fig.of("4. connections: process RSS per idle session (KiB; the pod's VmRSS right after "
                + "the same full GC, {} sessions vs none)", open[1]), Fig.of("{}", rss), Fig.EMPTY, Fig.EMPTY,
                "<= " + RSS_GOAL_KIB + " KiB");
        table.add("conn-tcp", Fig.of("4. connections: kernel TCP socket memory per idle session (KiB; /proc/net/sockstat "
                        + "TCP mem, {} sessions vs none; machine-wide: on loopback both ends' sockets, not in the RSS)",
                open[1]), Fig.of("{}", tcp), Fig.EMPTY, Fig.EMPTY, "");
        table.add("conn-half", Fig.of("4. connections: heap / RSS per idle session at {} sessions (KiB; after the "
                        + "first loadgen process connected, full GC)", open[0]),
                Fig.of("{} / {}", perSessionKiB(with[0].heap() - before.heap(), open[0]),
                        perSessionKiB(with[0].rss() - before.rss(), open[0])), Fig.EMPTY, Fig.EMPTY,
                "<= " + HEAP_GOAL_KIB + " / <= " + RSS_GOAL_KIB + " KiB");
        // The step from the first loadgen's sessions to both: without the one-time costs the first sessions bring
        // (code the JIT compiles for the connect path, classes loaded), which "vs none" spreads over every session.
        double added = open[1] - open[0];
        table.add("conn-step", Fig.of("4. connections: heap / RSS per idle session, the step from {} to {} sessions "
                        + "(KiB; after full GC each)", open[0], open[1]),
                Fig.of("{} / {}", perSessionKiB(all.heap() - with[0].heap(), added),
                        perSessionKiB(all.rss() - with[0].rss(), added)), Fig.EMPTY, Fig.EMPTY,
                "<= " + HEAP_GOAL_KIB + " / <= " + RSS_GOAL_KIB + " KiB");
        r.charts.bars("conn-per-session", "4. connections: memory per idle session, after full GC (less is better)",
                        "KiB").bar("heap", "gateway", heap).bar("RSS", "gateway", rss)
                .bar("heap", "goal", HEAP_GOAL_KIB).bar("RSS", "goal", RSS_GOAL_KIB);
        // Memory against sessions: none, the first loadgen's, both; each after a full GC.
        double[] sessions = {0, open[0], open[1]};
        r.charts.lines("conn-memory", "4. connections: gateway memory against idle sessions, after full GC",
                        "sessions open", "MiB")
                .line("heap", sessions, mib(before.heap(), with[0].heap(), with[1].heap()))
                .line("RSS", sessions, mib(before.rss(), with[0].rss(), with[1].rss()));
        table.add("conn-time", Fig.text("4. connections: connect time, seconds (two loadgen processes one after the "
                        + "other, --connect-rate 1500 each)"), Fig.of("{} / {}", connectSeconds[0], connectSeconds[1]),
                Fig.EMPTY, Fig.EMPTY, "");
    }

    private static double[] mib(double... bytes) {
        return Arrays.stream(bytes).map(b -> Math.round(b / (1 << 20) * 10) / 10.0).toArray();
    }
}
