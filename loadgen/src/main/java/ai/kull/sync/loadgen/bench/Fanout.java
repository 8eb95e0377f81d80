package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * 1. Fan-out: FANOUT_USERS x FANOUT_DEVICES sessions at FANOUT_RATE events/s, more than a pod delivers, against a
 * bare Vert.x server pushing the same frames. Hands its {@link Maximum} on to the latency scenario.
 */
final class Fanout implements Scenario {

    /** What the pod delivered saturated: where latency's search for the sustainable rate starts. */
    record Maximum(double eventsPerSecond, double p99Ms) {
    }

    @Override
    public String method() {
        return "Fan-out CPU per delivery: the server process's CPU time (user and system, all threads) from the "
                + "end of the loadgen's warm-up (its LOADGEN_MEASURING line) to the end of the load run, over the "
                + "deliveries the loadgen received in that time; the gateway and the bare server in the same run, ratio "
                + "bare/gateway. Given also from the moment every session is open, warm-up included: that holds the "
                + "JIT compilers' work on code the first deliveries run, which a long-running pod has behind it and "
                + "which is larger for the gateway (Quarkus, Kafka, Jackson, its own code) than for the bare server.";
    }

    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        Processes p = r.processes;
        int users = s.integer("FANOUT_USERS");
        int devices = s.integer("FANOUT_DEVICES");
        int rate = s.integer("FANOUT_RATE");
        int duration = s.integer("FANOUT_SECONDS");
        int sessions = users * devices;
        log("1. fan-out: %d sessions, %d events/s offered (%d deliveries/s)", sessions, rate, rate * devices);
        Server bareServer = p.bareServer("bare-server");
        Cpu bare;
        try {
            bare = cpuPerDelivery(r, "fanout-bare", bareServer.process(),
                    r.loadArgs(bareServer.url(), users, devices, rate, duration), duration);
        } finally {
            bareServer.stop();
        }
        Server pod = p.pod("gw-fanout", Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000"));
        Cpu gateway;
        try {
            if (s.integer("BENCH_JFR") == 1) {
                p.jcmd(pod.process(), "JFR.start", "duration=" + (duration + 15) + "s",
                        "filename=" + p.dir.resolve("fanout-gateway.jfr"));
            }
            gateway = cpuPerDelivery(r, "fanout-gateway", pod.process(),
                    r.loadArgs(pod.url(), users, devices, rate, duration), duration);
        } finally {
            pod.stop();
        }
        JsonNode g = p.json("fanout-gateway");
        JsonNode b = p.json("fanout-bare");
        double gw = num(g, "deliveredPerSecond");
        double bw = num(b, "deliveredPerSecond");
        // The headline: server CPU per delivery does not depend on how the shared cores were split with the
        // loadgen, which deliveries/s (both capped by the machine) does.
        r.table.add("fanout-cpu", Fig.text("1. fan-out: server CPU per delivery, microseconds (process CPU from the "
                        + "warm-up's end to the run's end, over the deliveries in that time; less is better; ratio "
                        + "bare/gateway)"),
                Fig.of("{}", gateway.afterWarmup()), Fig.of("{}", bare.afterWarmup()),
                Fig.of("{2}", bare.afterWarmup() / gateway.afterWarmup()), ">= 0.95 (within 5%)");
        r.table.add("fanout-cpu-warmup", Fig.text("1. fan-out: the same from all sessions open, warm-up (JIT) included"),
                Fig.of("{}", gateway.fromConnected()), Fig.of("{}", bare.fromConnected()),
                Fig.of("{2}", bare.fromConnected() / gateway.fromConnected()), "");
        r.charts.bars("fanout-cpu", "1. fan-out: server CPU per delivery, saturated (less is better)", "microseconds")
                .bar("after the warm-up", "gateway", gateway.afterWarmup())
                .bar("after the warm-up", "bare push", bare.afterWarmup())
                .bar("warm-up included", "gateway", gateway.fromConnected())
                .bar("warm-up included", "bare push", bare.fromConnected());
        r.table.add("fanout", Fig.of("1. fan-out: deliveries/s to {} sessions ({}/s offered; both limited by the "
                        + "cores they share with the loadgen)", sessions, rate * devices),
                Fig.of("{}", gw), Fig.of("{}", bw), Fig.of("{2}", gw / bw), "");
        r.table.add("fanout-latency", Fig.text("1. fan-out: latency p50 / p99 ms (saturated)"),
                Fig.of("{} / {}", num(g, "latencyMs.p50"), num(g, "latencyMs.p99")),
                Fig.of("{} / {}", num(b, "latencyMs.p50"), num(b, "latencyMs.p99")), Fig.EMPTY, "");
        r.table.add("fanout-loss", Fig.text("1. fan-out: lost / duplicated / misrouted"),
                Fig.of("{} / {} / {}", num(g, "lost"), num(g, "duplicated"), num(g, "misrouted")),
                Fig.of("{} / {} / {}", num(b, "lost"), num(b, "duplicated"), num(b, "misrouted")), Fig.EMPTY, "0");
        r.handOn(new Maximum(Math.floor(gw / devices), num(g, "latencyMs.p99")));
    }

    /** A server's CPU microseconds per delivery after the loadgen's warm-up, and from every session open. */
    private record Cpu(double afterWarmup, double fromConnected) {
    }

    /** A load run in the background; the server's CPU per delivery (independent of the loadgen's share of the cores). */
    private static Cpu cpuPerDelivery(Repeat r, String name, ManagedProcess server, String[] args, int duration)
            throws IOException {
        log("%s: loadgen %s", name, String.join(" ", args));
        ManagedProcess run = r.processes.loadgenInBackground(name, args);
        run.awaitLogLine("LOADGEN_CONNECTED", Repeat.withSlack(120));
        Duration connected = server.cpuTime();
        run.awaitLogLine("LOADGEN_MEASURING", Repeat.withSlack(r.settings.integer("WARMUP_SECONDS") + 60));
        Duration warm = server.cpuTime();
        JsonNode report = r.processes.finish(run, r.loadTimeout(duration), 30);
        Duration end = server.cpuTime();
        double delivered = num(report, "delivered");
        return new Cpu(Repeat.microsPerDelivery(end.minus(warm), delivered - num(report, "deliveredBeforeMeasuring")),
                Repeat.microsPerDelivery(end.minus(connected), delivered));
    }
}
