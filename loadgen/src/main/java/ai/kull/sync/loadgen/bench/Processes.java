package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.PodMetrics;
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
    final String bootstrap;
    /** Where the current repeat's logs and JSON go. */
    Path dir;

    Processes(Path root, Settings settings, Path dir) {
        this.root = root;
        this.settings = settings;
        this.dir = dir;
        this.bootstrap = "127.0.0.1:" + settings.integer("KAFKA_PORT");
        this.loadgenClasspath = System.getProperty("java.class.path");
    }

    static void log(String format, Object... args) {
        System.out.println("[bench] " + String.format(format, args));
    }

    private Duration startTimeout() {
        return Duration.ofSeconds(settings.integer("START_TIMEOUT_SECONDS"));
    }

    /** A real broker (local-kafka) on KAFKA_PORT with fresh data, ready. */
    ManagedProcess broker(Path runDir) throws IOException {
        Path data = runDir.resolve("kafka-data");
        deleteRecursively(data);
        AppLaunch launch = StackApps.of(root).broker(settings.integer("KAFKA_PORT"), data);
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

    /** {@code Main args --json <dir>/<name>.json} in the background, output in {@code <dir>/<name>.log}. */
    ManagedProcess loadgenInBackground(String name, String... args) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(args));
        arguments.add("--json");
        arguments.add(dir.resolve(name + ".json").toString());
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + settings.string("LOADGEN_XMX")));
        jvm.addAll(settings.words("LOADGEN_JAVA_OPTS"));
        commands.add(name + ": java " + String.join(" ", jvm) + " -cp $LOADGEN_CP ai.kull.sync.loadgen.Main "
                + arguments.stream().map(Processes::quote).collect(Collectors.joining(" ")));
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
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET /q/metrics on " + port + ": " + response.statusCode());
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

    Memory afterFullGc(ManagedProcess pod, int port) throws IOException, InterruptedException {
        jcmd(pod, "GC.run");
        Thread.sleep(1000);
        return new Memory(metricSum(port, "jvm_memory_used_bytes", "area=\"heap\"", true),
                ProcStats.rssBytes(pod.pid()), ProcStats.tcpMemBytes());
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

    /** An argument as a shell would need it. */
    static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_./:=@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var files = Files.walk(path)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
