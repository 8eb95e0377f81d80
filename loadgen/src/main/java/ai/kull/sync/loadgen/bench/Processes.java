package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.process.Directories;
import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import ai.kull.sync.process.stack.AppLaunch;
import ai.kull.sync.process.stack.StackApps;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Everything the scenarios start (the broker, gateway pods, loadgen runs and baselines), each a
 * {@link ManagedProcess} with its log and JSON under the run directory, and the few facts read from them.
 * Remembers every command for the results file and stops whatever is still running on {@link #stopAll()}.
 */
final class Processes {

    static final String JWT_SECRET = "bench-secret-bench-secret-bench-secret-01";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path root;
    private final Settings settings;
    private final String loadgenClasspath;
    private final List<ManagedProcess> started = new ArrayList<>();
    final List<String> commands = new ArrayList<>();
    /** The broker's port, from the OS like every other port of the benchmark. */
    private final int kafkaPort = FreePorts.take();
    final String bootstrap;
    /** Where the current repeat's logs and JSON go. */
    Path dir;

    Processes(Path root, Settings settings, Path dir) {
        this.root = root;
        this.settings = settings;
        this.dir = dir;
        this.bootstrap = "127.0.0.1:" + kafkaPort;
        this.loadgenClasspath = System.getProperty("java.class.path");
    }

    static void log(String format, Object... args) {
        System.out.println("[bench] " + String.format(format, args));
    }

    private Duration startTimeout() {
        return Duration.ofSeconds(settings.integer("START_TIMEOUT_SECONDS"));
    }

    /** A real broker (local-kafka) on a free port with fresh data, ready. */
    ManagedProcess broker(Path runDir) throws IOException {
        Path data = runDir.resolve("kafka-data");
        Directories.deleteRecursively(data);
        AppLaunch launch = StackApps.of(root).broker(kafkaPort, data);
        ManagedProcess broker = track(launch.start(runDir.resolve("kafka.log")));
        launch.awaitReady(broker, startTimeout());
        log("kafka ready on %s", bootstrap);
        return broker;
    }

    /** A gateway pod on {@code port} (not yet ready: {@link #awaitReady}); {@code env} adds settings. */
    ManagedProcess gateway(String name, int port, Map<String, String> env) throws IOException {
        // The heap free ratios the Helm chart gives gateway pods (gateway.jvm.extraOptions): the heap a connect
        // burst grew is given back, so RSS per idle session is measured as pods run.
        AppLaunch launch = StackApps.of(root).gateway(name, port, bootstrap, JWT_SECRET)
                .env("GATEWAY_DRAIN_PERIOD", "1s")
                .env("GATEWAY_SESSION_MAX_PER_USER", "50")
                .env(env)
                .maxHeap(settings.string("GATEWAY_XMX"))
                .jvmOptions(List.of("-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10"))
                .jvmOptions(settings.words("GATEWAY_JAVA_OPTS"));
        ManagedProcess pod = track(launch.start(dir.resolve(name + ".log")));
        commands.add(name + ": " + launch.shellLine(root));
        return pod;
    }

    ManagedProcess awaitReady(ManagedProcess pod, int port) {
        return pod.awaitHttpOk(URI.create("http://localhost:" + port + "/q/health/ready"), startTimeout());
    }

    /** A gateway pod or a bare server, and the port it listens on. */
    record Server(ManagedProcess process, int port) {

        /** Its WebSocket base URL, what the loadgen's {@code --gateways} takes. */
        String url() {
            return "ws://localhost:" + port;
        }

        String metricsUrl() {
            return "http://localhost:" + port + "/q/metrics";
        }

        String metrics() throws IOException {
            return Processes.metrics(port);
        }

        /** See {@link Processes#metricSum}. */
        double metricSum(String name, String mustContain, boolean perTopic) throws IOException {
            return Processes.metricSum(port, name, mustContain, perTopic);
        }

        void stop() {
            Processes.stop(process);
        }
    }

    /** A gateway pod on a free port, ready (its consumer polls and has caught up: the gateway's readiness). */
    Server pod(String name, Map<String, String> env) throws IOException {
        int port = FreePorts.take();
        return new Server(awaitReady(gateway(name, port, env), port), port);
    }

    /** The fan-out baseline ({@code Main bare-server}) on a free port, reading Kafka; {@code more} adds flags. */
    Server bareServer(String name, String... more) throws IOException {
        int port = FreePorts.take();
        List<String> args = new ArrayList<>(List.of("bare-server", "--port", "" + port, "--bootstrap", bootstrap));
        args.addAll(List.of(more));
        ManagedProcess server = loadgenInBackground(name, args.toArray(String[]::new));
        server.awaitLogLine("BARE_SERVER_READY", startTimeout());
        return new Server(server, port);
    }

    /** A condition read from a process (its metrics, /proc); may fail to read. */
    interface Check {
        boolean met() throws IOException;
    }

    /**
     * Waits until {@code check} holds, looking every 100 ms; fails, with the last lines of {@code process}'s log,
     * when the process exits or {@code timeout} passes first.
     */
    static void await(ManagedProcess process, String what, Duration timeout, Check check) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.met()) {
            if (!process.isAlive()) {
                throw process.failure("exited while waiting until " + what);
            }
            if (System.nanoTime() > deadline) {
                throw process.failure("not " + what + " within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(100); // the poll interval of the wait, not a wait of its own
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting until " + what, e);
            }
        }
    }

    /**
     * A loadgen process in the background that opens {@code sessions} idle sessions (a device per user, no events)
     * on {@code url} at 1,500 connects/s, at most 180 s, and holds them for {@code holdSeconds}; users named
     * {@code <name>-<n>}. How the memory scenarios open theirs.
     *
     * @param protocol {@code sync} (the gateway's) or {@code socketio}
     */
    ManagedProcess idleSessions(String name, String url, int sessions, int holdSeconds, String protocol)
            throws IOException {
        return loadgenInBackground(name, "--gateways", url, "--users", "" + sessions, "--devices-per-user", "1",
                "--rate", "0", "--duration", holdSeconds + "s", "--connect-rate", "1500", "--connect-timeout", "180s",
                "--protocol", protocol, "--jwt-secret", JWT_SECRET, "--user-prefix", name + "-");
    }

    /** {@code Main args --json <dir>/<name>.json} in the background, output in {@code <dir>/<name>.log}. */
    ManagedProcess loadgenInBackground(String name, String... args) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(args));
        arguments.add("--json");
        arguments.add(dir.resolve(name + ".json").toString());
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + settings.string("LOADGEN_XMX")));
        jvm.addAll(settings.words("LOADGEN_JAVA_OPTS"));
        commands.add(name + ": java " + String.join(" ", jvm) + " -cp $LOADGEN_CP ai.kull.sync.loadgen.Main "
                + arguments.stream().map(AppLaunch::quote).collect(Collectors.joining(" ")));
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of("-cp", loadgenClasspath, "ai.kull.sync.loadgen.Main"));
        Files.deleteIfExists(dir.resolve(name + ".json"));
        return track(ManagedProcess.builder(name, dir.resolve(name + ".log"),
                ManagedProcess.java(command, arguments.toArray(String[]::new))).start());
    }

    /** A loadgen run in the foreground, bounded by {@code timeout}: its summary printed, its JSON returned. */
    JsonNode loadgen(String name, Duration timeout, String... args) throws IOException {
        log("%s: loadgen %s", name, String.join(" ", args));
        ManagedProcess run = loadgenInBackground(name, args);
        return finish(run, timeout, 40);
    }

    /** Waits for a background loadgen run to succeed within {@code timeout}, prints its summary, reads its JSON. */
    JsonNode finish(ManagedProcess run, Duration timeout, int summaryLines) throws IOException {
        run.awaitSuccess(timeout);
        printSummary(run, summaryLines);
        return json(run.name());
    }

    /** The last lines of a run's output without its per-second lines and SLF4J noise (the final table). */
    static void printSummary(ManagedProcess run, int lines) {
        List<String> kept = run.logText().lines()
                .filter(line -> !line.startsWith("[loadgen") && !line.contains("SLF4J")).toList();
        kept.subList(Math.max(0, kept.size() - lines), kept.size()).forEach(System.out::println);
    }

    JsonNode json(String name) throws IOException {
        Path file = dir.resolve(name + ".json");
        if (!Files.isRegularFile(file)) {
            throw new ProcessFailure(name + " wrote no " + file);
        }
        return JSON.readTree(file.toFile());
    }

    /** A number at a dotted path ({@code latencyMs.p99}), NaN if absent. */
    static double num(JsonNode report, String path) {
        JsonNode node = report;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null || !node.isNumber() ? Double.NaN : node.asDouble();
    }

    /** The metrics text of a pod. */
    static String metrics(int port) throws IOException {
        return get(port, "/q/metrics");
    }

    /** The body of {@code GET http://localhost:<port><path>}, which must answer 200 within 30 s. */
    static String get(int port, String path) throws IOException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + path + " on " + port + ": " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The sum of a metric's samples ({@code name{...} value}), leaving out per-topic ones unless asked; 0 if none. */
    static double metricSum(int port, String name, String mustContain, boolean perTopic) throws IOException {
        double sum = PodMetrics.sum(metrics(port), name, mustContain, perTopic);
        return Double.isNaN(sum) ? 0 : sum;
    }

    /**
     * A pod's memory right after a full GC, in bytes: its used heap (its own metrics), its resident set, and
     * the kernel's memory for all TCP sockets of the machine (both ends of a loopback connection, and whatever
     * else runs here).
     */
    record Memory(double heap, double rss, double tcp) {
    }

    Memory afterFullGc(Server pod) throws IOException {
        jcmd(pod.process(), "GC.run"); // returns when the collection is over: the heap metric shows it at once
        long rss = settledRss(pod.process());
        return new Memory(pod.metricSum("jvm_memory_used_bytes", "area=\"heap\"", true), rss,
                ProcStats.tcpMemBytes());
    }

    /**
     * The process's resident set once it has stopped falling: G1 gives the regions a full GC freed back to the
     * OS concurrently, from 100 ms after the collection on, in steps. Settled is no fall over five readings 200
     * ms apart (longer than one step's pause); the wait fails after a minute.
     */
    static long settledRss(ManagedProcess process) throws IOException {
        List<Long> readings = new ArrayList<>();
        await(process, "its resident set settled after a full GC", Duration.ofMinutes(1), () -> {
            readings.add(ProcStats.rssBytes(process.pid()));
            return ProcStats.settled(readings, 5);
        });
        return readings.get(readings.size() - 1);
    }

    /** {@code jcmd <pid> args}, bounded by a minute. */
    void jcmd(ManagedProcess target, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(target.pid())));
        command.addAll(List.of(args));
        ManagedProcess jcmd = ManagedProcess.builder("jcmd", dir.resolve("jcmd.log"), command).start();
        jcmd.awaitSuccess(Duration.ofMinutes(1));
    }

    ManagedProcess track(ManagedProcess process) {
        started.add(process);
        return process;
    }

    /** SIGTERM, then SIGKILL after 30 s: pods drain and exit on their own. */
    static void stop(ManagedProcess process) {
        if (process != null) {
            process.stop(Duration.ofSeconds(30));
        }
    }

    /** Everything still running, newest first (the broker last). */
    void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            ManagedProcess process = started.get(i);
            if (process.isAlive()) {
                process.process().destroy();
            }
        }
        for (ManagedProcess process : started) {
            try {
                if (!process.process().waitFor(30, TimeUnit.SECONDS)) {
                    process.kill();
                }
            } catch (InterruptedException e) {
                process.kill();
            }
        }
    }
}
