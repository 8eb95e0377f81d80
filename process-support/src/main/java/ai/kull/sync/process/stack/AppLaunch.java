package ai.kull.sync.process.stack;

import ai.kull.sync.process.ManagedProcess;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How one process of the stack starts, as {@link StackApps} defines it: its command, JVM options, environment
 * and what "ready" means. A caller adds or overrides environment and JVM options (a test's short timeouts, the
 * benchmark's heap) but never restates the command.
 */
public final class AppLaunch {

    /** What a process is: the broker, a gateway pod, or a domain service. */
    public enum Kind { BROKER, GATEWAY, SERVICE }

    private final String name;
    private final Kind kind;
    private final int port;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> main;
    private final Map<String, String> env = new LinkedHashMap<>();
    private String maxHeap;

    AppLaunch(String name, Kind kind, int port, String maxHeap, List<String> main) {
        this.name = name;
        this.kind = kind;
        this.port = port;
        this.maxHeap = maxHeap;
        this.main = List.copyOf(main);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The broker's Kafka port, or the HTTP port. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port} for the broker (its bootstrap servers), {@code http://localhost:port} otherwise. */
    public String url() {
        return kind == Kind.BROKER ? "127.0.0.1:" + port : "http://localhost:" + port;
    }

    /** Adds or overrides one environment variable. */
    public AppLaunch env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Adds or overrides environment variables. */
    public AppLaunch env(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** The JVM's maximum heap ({@code -Xmx}), e.g. {@code 128m}. */
    public AppLaunch maxHeap(String heap) {
        this.maxHeap = heap;
        return this;
    }

    /** JVM options added after {@code -Xmx} (e.g. the heap free ratios the Helm chart gives pods). */
    public AppLaunch jvmOptions(List<String> options) {
        jvmOptions.addAll(options);
        return this;
    }

    /** The whole command: {@code java -Xmx.. [options] <main>}, with the running JVM's {@code java}. */
    public List<String> command() {
        List<String> jvm = new ArrayList<>();
        jvm.add("-Xmx" + maxHeap);
        jvm.addAll(jvmOptions);
        return ManagedProcess.java(jvm, main.toArray(String[]::new));
    }

    /**
     * The command as one shell line with its environment ({@code K=V ... java ...}), paths under {@code root}
     * relative to it, for logs and results files.
     */
    public String shellLine(Path root) {
        return shellLine().replace(root.toString() + "/", "");
    }

    /** The command as one shell line with its environment ({@code K=V ... java ...}). */
    public String shellLine() {
        List<String> parts = new ArrayList<>();
        env.forEach((key, value) -> parts.add(key + "=" + quote(value)));
        parts.add("java");
        parts.addAll(command().subList(1, command().size()).stream().map(AppLaunch::quote).toList());
        return String.join(" ", parts);
    }

    /** Starts it, output into {@code log}; not ready yet ({@link #awaitReady}). */
    public ManagedProcess start(Path log) throws IOException {
        return ManagedProcess.builder(name, log, command()).env(env).start();
    }

    /**
     * Waits until {@code process} (started from this) is ready: the broker's {@value StackApps#BROKER_READY} log
     * line, an app's {@code /q/health/ready} answering 200. Fails with the log's last lines otherwise.
     */
    public ManagedProcess awaitReady(ManagedProcess process, Duration timeout) {
        return kind == Kind.BROKER ? process.awaitLogLine(StackApps.BROKER_READY, timeout)
                : process.awaitHttpOk(URI.create(url() + "/q/health/ready"), timeout);
    }

    /** An argument as a shell needs it: as it is when it has no character a shell reads, else single-quoted. */
    public static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return name + ": " + env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")) + " " + String.join(" ", main);
    }
}
