package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import ai.kull.sync.process.stack.AppLaunch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;
import static ai.kull.sync.loadgen.bench.Repeat.perSessionKiB;

/**
 * 10. The peer: the gateway beside what a team would run instead of it, Socket.IO 4.8 on Node fed from the same
 * topics by kafkajs (loadgen/peer/socketio), with its defaults and with its documented production tuning. One
 * after the other on the same cores and broker, each driven by the same loadgen (the Socket.IO sessions with
 * {@code --protocol socketio}): server CPU per delivery at PEER_RATE and at saturation, delivery p50 / p99 at
 * PEER_RATE, and memory per idle session. Every ratio is peer/ours: above 1 the peer costs more.
 */
final class Peer implements Scenario {

    private static final Duration SLACK = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1: an h2c upgrade request would reach Socket.IO's upgrade handler, which closes what is not its own.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public void run(Repeat repeat) throws Exception {
        new Measurement(repeat).run();
    }

    @Override
    public String method() {
        return "Peer (10): the same loadgen drives the gateway (its protocol) and Socket.IO (`--protocol socketio`: "
                + "Engine.IO v4 over the same raw WebSocket), the same sessions and events, counted by the same ledger, "
                + "latency from the publish time in each event; server CPU is the process's user + system time from the "
                + "end of the warm-up to the end of the run, over the deliveries in that time; idle memory is read first, "
                + "on the freshly started process. Socket.IO variants: `default` is its defaults with WebSocket only, "
                + "`tuned` its documented production tuning (loadgen/peer/socketio/README.md). What the peer does not do "
                + "(resume, replay, presence, acks, per-device targeting, bounds) is listed there: the comparison is of "
                + "the delivery path only.";
    }

    /** Heap, resident set and history kept for resumes (the gateway's replay window) in bytes, right after a full GC. */
    private record Reading(double heap, double rss, double history) {
    }

    private interface MemoryReader {
        Reading afterGc() throws IOException, InterruptedException;
    }

    /**
     * Memory per idle session, KiB of heap and of RSS, as the step from half the sessions to all; the RSS per session
     * counted from none; MiB of RSS with none and with all, and of events kept for resumes with none.
     */
    private record IdleMemory(double heapPerSession, double rssPerSession, double rssFromNone, double rssBase,
                              double rssIdle, double historyBase) {
    }

    /** One server under test: its process and port, whether the loadgen speaks Socket.IO to it, its memory. */
    private record Target(String name, Processes.Server server, boolean socketIo, MemoryReader memory) {
        ManagedProcess process() {
            return server.process();
        }

        String url() {
            return server.url();
        }

        Reading memoryAfterGc() throws IOException, InterruptedException {
            return memory.afterGc();
        }
    }

    /** What was measured of one server. */
    private record Figures(double cpuAtRate, double p50, double p99, double lost, double duplicated,
                           double deliveredAtRate, double cpuSaturated, double deliveredSaturated,
                           double heapPerSession, double rssPerSession, double rssFromNone, double rssBase,
                           double rssIdle, double historyBase) {
    }

    /** One repeat's measurement of the gateway and each variant. */
    private static final class Measurement {
        private final Settings s;
        private final Processes p;
        private final Table table;
        private final BenchCharts charts;

        Measurement(Repeat repeat) {
            this.s = repeat.settings;
            this.p = repeat.processes;
            this.table = repeat.table;
            this.charts = repeat.charts;
        }

        void run() throws Exception {
            int users = s.integer("PEER_USERS");
            int devices = s.integer("PEER_DEVICES");
            log("10. peer: gateway and Socket.IO (%s) with %d sessions at %d deliveries/s, at saturation, and %d idle",
                    String.join(", ", s.words("PEER_VARIANTS")), users * devices, s.integer("PEER_RATE") * devices,
                    s.integer("PEER_IDLE_SESSIONS"));
            Path serverJs = BenchMain.root().resolve("loadgen/peer/socketio/server.js");
            if (!Files.isDirectory(serverJs.resolveSibling("node_modules/socket.io"))) {
                throw new ProcessFailure("peer: " + serverJs.getParent() + " has no node_modules: run `npm ci` there "
                        + "(the loadgen module's build does: ./mvnw -pl loadgen package)");
            }
            Figures ours = measure(gateway());
            List<String> variants = s.words("PEER_VARIANTS");
            List<Figures> peers = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                peers.add(measure(socketIo(serverJs, variants.get(i))));
            }
            int rate = s.integer("PEER_RATE") * devices;
            String names = String.join(" / ", variants);
            row("peer-cpu", "10. peer: server CPU per delivery, µs, " + users * devices + " sessions at " + rate
                    + " deliveries/s (Socket.IO " + names + "; ratio peer/ours)", ours, peers, Figures::cpuAtRate,
                    "peer/ours >= 2");
            row("peer-p50", "10. peer: delivery p50, ms, at " + rate + " deliveries/s", ours, peers, Figures::p50, "");
            row("peer-p99", "10. peer: delivery p99, ms, at " + rate + " deliveries/s", ours, peers, Figures::p99,
                    "peer/ours >= 1");
            row("peer-saturated-cpu", "10. peer: server CPU per delivery, µs, saturated (" + s.integer("PEER_SATURATION_RATE")
                    * devices + " deliveries/s offered)", ours, peers, Figures::cpuSaturated, "peer/ours >= 2");
            row("peer-saturated", "10. peer: deliveries/s, saturated (each limited by the cores it shares with the "
                    + "loadgen; Node uses one)", ours, peers, Figures::deliveredSaturated, "");
            int idle = s.integer("PEER_IDLE_SESSIONS");
            String step = "the step from " + idle / 2 + " to " + idle + " sessions, after a full GC each";
            row("peer-rss", "10. peer: RSS per idle session, KiB (" + step + ")", ours, peers, Figures::rssPerSession,
                    "peer/ours >= 2");
            row("peer-rss-from-none", "10. peer: RSS per idle session, KiB, counted from none (" + idle + " sessions vs "
                    + "none: with the one-time costs the first sessions bring)", ours, peers, Figures::rssFromNone, "");
            row("peer-heap", "10. peer: heap per idle session, KiB (JVM used heap; V8 heapUsed + external; " + step
                    + ")", ours, peers, Figures::heapPerSession, "");
            row("peer-rss-total", "10. peer: process RSS, MiB, with " + idle + " idle sessions (after a full GC)", ours,
                    peers, Figures::rssIdle, "");
            row("peer-rss-base", "10. peer: process RSS, MiB, with no session (after a full GC)", ours, peers,
                    Figures::rssBase, "");
            row("peer-history", "10. peer: of it, events kept for resumes, MiB (the gateway's replay window, refilled "
                    + "from the log at start up to GATEWAY_REPLAY_MAX_BYTES; the peer keeps none)", ours, peers,
                    Figures::historyBase, "");
            double budget = 1024;
            row("peer-per-pod", "10. peer: sessions in a 1 GiB pod (1 GiB less the RSS with no session, over the RSS per "
                    + "idle session)", ours, peers, f -> Math.floor((budget - f.rssBase()) * 1024 / f.rssPerSession()), "");
            row("peer-loss", "10. peer: lost + duplicated at " + rate + " deliveries/s", ours, peers,
                    f -> f.lost() + f.duplicated(), "0");
            BenchCharts.Bars cpu = charts.bars("peer-cpu", "10. peer: server CPU per delivery (less is better)",
                    "microseconds");
            bars(cpu, "at " + rate + " deliveries/s", ours, peers, variants, Figures::cpuAtRate);
            bars(cpu, "saturated", ours, peers, variants, Figures::cpuSaturated);
            BenchCharts.Bars latency = charts.bars("peer-latency", "10. peer: delivery latency at " + rate
                    + " deliveries/s", "milliseconds");
            bars(latency, "p50", ours, peers, variants, Figures::p50);
            bars(latency, "p99", ours, peers, variants, Figures::p99);
            BenchCharts.Bars memory = charts.bars("peer-memory", "10. peer: memory per idle session, after a full GC",
                    "KiB");
            bars(memory, "RSS", ours, peers, variants, Figures::rssPerSession);
            bars(memory, "heap", ours, peers, variants, Figures::heapPerSession);
        }

        /** The chart's bars in {@code category}: ours, then each Socket.IO variant's beside it. */
        private static void bars(BenchCharts.Bars chart, String category, Figures ours, List<Figures> peers,
                                 List<String> variants, ToDoubleFunction<Figures> figure) {
            chart.bar(category, "gateway", figure.applyAsDouble(ours));
            for (int i = 0; i < peers.size(); i++) {
                chart.bar(category, "Socket.IO " + variants.get(i), figure.applyAsDouble(peers.get(i)));
            }
        }

        /** A row: ours, each variant's figure, each variant's ratio to ours. */
        private void row(String key, String label, Figures ours, List<Figures> peers,
                         ToDoubleFunction<Figures> figure, String goal) {
            double mine = figure.applyAsDouble(ours);
            double[] theirs = peers.stream().mapToDouble(figure).toArray();
            double[] ratios = Arrays.stream(theirs).map(v -> mine == 0 ? Double.NaN : v / mine).toArray();
            String cells = String.join(" / ", Collections.nCopies(theirs.length, "{}"));
            String ratioCells = String.join(" / ", Collections.nCopies(theirs.length, "{2}"));
            table.add(key, Fig.text(label), Fig.of("{}", mine), Fig.of(cells, theirs),
                    key.equals("peer-loss") ? Fig.EMPTY : Fig.of(ratioCells, ratios), goal);
        }

        private Figures measure(Target server) throws Exception {
            try {
                int users = s.integer("PEER_USERS");
                int devices = s.integer("PEER_DEVICES");
                int seconds = s.integer("PEER_SECONDS");
                // Idle memory first, on the fresh process, as the connections scenario reads it: after the load runs a
                // heap grown by the saturated run would be given back during the reading and count against the sessions.
                IdleMemory memory = idleMemory(server);
                Thread.sleep(2000); // the idle sessions are closed
                JsonNode atRate = load(server, server.name() + "-rate", users, devices, s.integer("PEER_RATE"), seconds);
                int saturatedSeconds = s.integer("PEER_SATURATION_SECONDS");
                JsonNode saturated = load(server, server.name() + "-saturated", users, devices,
                        s.integer("PEER_SATURATION_RATE"), saturatedSeconds, "--drain-timeout", "5s");
                log("%s: %.1f µs per delivery at the rate, p50 %.2f / p99 %.2f ms; saturated %.1f µs, %.0f deliveries/s; "
                                + "idle: heap %.1f KiB, RSS %.1f KiB per session", server.name(), num(atRate, "cpuMicros"),
                        num(atRate, "latencyMs.p50"), num(atRate, "latencyMs.p99"), num(saturated, "cpuMicros"),
                        num(saturated, "deliveredPerSecond"), memory.heapPerSession(), memory.rssPerSession());
                return new Figures(num(atRate, "cpuMicros"), num(atRate, "latencyMs.p50"), num(atRate, "latencyMs.p99"),
                        num(atRate, "lost"), num(atRate, "duplicated"), num(atRate, "deliveredPerSecond"),
                        num(saturated, "cpuMicros"), num(saturated, "deliveredPerSecond"), memory.heapPerSession(),
                        memory.rssPerSession(), memory.rssFromNone(), memory.rssBase(), memory.rssIdle(),
                        memory.historyBase());
            } finally {
                Processes.stop(server.process());
            }
        }

        /**
         * A load run against {@code server}; its report with {@code cpuMicros} added: the server's CPU time from the
         * end of the warm-up (the loadgen's LOADGEN_MEASURING line) to the end of the run, over the deliveries in that
         * time (independent of how the shared cores were split with the loadgen; the warm-up holds the JIT compilers'
         * work, which a long-running server has behind it).
         */
        private JsonNode load(Target server, String name, int users, int devices, int rate, int seconds, String... more)
                throws IOException {
            List<String> args = new ArrayList<>(List.of("--gateways", server.url(), "--users", "" + users,
                    "--devices-per-user", "" + devices, "--rate", "" + rate, "--duration", seconds + "s",
                    "--warmup", s.integer("WARMUP_SECONDS") + "s", "--connect-rate", "2000",
                    "--protocol", server.socketIo() ? "socketio" : "sync", "--user-prefix", name + "-",
                    "--bootstrap", p.bootstrap, "--jwt-secret", Processes.JWT_SECRET));
            args.addAll(List.of(more));
            log("%s: loadgen %s", name, String.join(" ", args));
            ManagedProcess run = p.loadgenInBackground(name, args.toArray(String[]::new));
            run.awaitLogLine("LOADGEN_MEASURING", SLACK.plusSeconds(s.integer("WARMUP_SECONDS")));
            Duration before = server.process().cpuTime();
            JsonNode report = p.finish(run, Duration.ofSeconds(s.integer("WARMUP_SECONDS") + seconds + 120 + 15).plus(SLACK), 12);
            Duration used = server.process().cpuTime().minus(before);
            double delivered = num(report, "delivered") - num(report, "deliveredBeforeMeasuring");
            ((ObjectNode) report).put("cpuMicros", Repeat.microsPerDelivery(used, delivered));
            return report;
        }

        /**
         * Idle memory as the step from half of PEER_IDLE_SESSIONS to all of them, so the one-time costs the first
         * sessions bring (code compiled for the connect path, classes loaded) are not spread over the sessions.
         */
        private IdleMemory idleMemory(Target server) throws Exception {
            int sessions = s.integer("PEER_IDLE_SESSIONS");
            int half = sessions / 2;
            Reading none = server.memoryAfterGc();
            Reading[] with = new Reading[2];
            List<ManagedProcess> runs = new ArrayList<>();
            // Held until stopped below: longer than both connect timeouts, the settling and the readings.
            int hold = 2 * (180 + s.integer("PEER_SETTLE_SECONDS")) + 120;
            try {
                for (int i = 0; i < 2; i++) {
                    ManagedProcess run = p.idleSessions(server.name() + "-idle-" + (i == 0 ? "a" : "b"), server.url(),
                            i == 0 ? half : sessions - half, hold, server.socketIo() ? "socketio" : "sync");
                    runs.add(run);
                    run.awaitLogLine("LOADGEN_CONNECTED", Duration.ofSeconds(200));
                    // As the connections scenario: after the connect burst, what an idle session costs.
                    Thread.sleep(s.integer("PEER_SETTLE_SECONDS") * 1000L);
                    with[i] = server.memoryAfterGc();
                }
                int added = sessions - half;
                return new IdleMemory(perSessionKiB(with[1].heap() - with[0].heap(), added),
                        perSessionKiB(with[1].rss() - with[0].rss(), added),
                        perSessionKiB(with[1].rss() - none.rss(), sessions),
                        mib(none.rss()), mib(with[1].rss()), mib(none.history()));
            } finally {
                runs.forEach(Processes::stop);
            }
        }

        private static double mib(double bytes) {
            return Math.round(bytes / (1 << 20));
        }

        /** A gateway pod as the other scenarios start it. */
        private Target gateway() throws IOException {
            Processes.Server pod = p.pod("gw-peer", Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000"));
            return new Target("gateway", pod, false, () -> {
                Processes.Memory memory = p.afterFullGc(pod);
                return new Reading(memory.heap(), memory.rss(),
                        pod.metricSum("sync_gateway_replay_window_bytes", null, false));
            });
        }

        /** The Socket.IO peer ({@code node server.js}) with {@code variant}'s settings. */
        private Target socketIo(Path serverJs, String variant) throws IOException {
            int port = FreePorts.take();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PORT", "" + port);
            env.put("KAFKA_BOOTSTRAP_SERVERS", p.bootstrap);
            env.put("PEER_JWT_SECRET", Processes.JWT_SECRET);
            env.put("PEER_VARIANT", variant);
            env.put("PEER_GC_ENDPOINT", "true");
            List<String> command = List.of("node", "--expose-gc", serverJs.toString());
            String name = "socketio-" + variant;
            p.commands.add(name + ": " + env.entrySet().stream().map(e -> e.getKey() + "=" + AppLaunch.quote(e.getValue()))
                    .collect(Collectors.joining(" ")) + " node --expose-gc loadgen/peer/socketio/server.js");
            ManagedProcess node = p.track(ManagedProcess.builder(name, p.dir.resolve(name + ".log"), command).env(env).start());
            node.awaitLogLine("PEER_SOCKETIO_READY", Duration.ofSeconds(s.integer("START_TIMEOUT_SECONDS")));
            return new Target(name, new Processes.Server(node, port), true, () -> {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + port + "/memory")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException("GET /memory of " + name + ": " + response.statusCode());
                }
                JsonNode memory = JSON.readTree(response.body());
                // As after jcmd GC.run: the RSS once the collector has given its pages back.
                return new Reading(memory.get("heapUsed").asDouble() + memory.get("external").asDouble(),
                        Processes.settledRss(node), 0);
            });
        }
    }
}
