package ai.kull.sync.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process started the way the benchmark and the system tests start everything (a packaged Quarkus app,
 * the broker, a loadgen run): stdout and stderr into one log file, every wait bounded by a deadline, and every
 * failure ({@link ProcessFailure}) carrying the last lines of that log. Closing it kills it if still alive.
 */
public final class ManagedProcess implements AutoCloseable {

    /** Lines of the log a failure quotes. */
    public static final int TAIL_LINES = 40;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, List<String> command, Process process, Path log) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.log = log;
    }

    /** A process to start: {@code command} run with the current environment plus {@code env}, output into {@code log}. */
    public static Builder builder(String name, Path log, List<String> command) {
        return new Builder(name, log, command);
    }

    /** {@code java} of the running JVM with the given arguments (e.g. {@code -Xmx256m -jar app.jar}). */
    public static List<String> java(List<String> jvmOptions, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(Arrays.asList(arguments));
        return command;
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public List<String> command() {
        return command;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the log holds a line containing {@code marker}; fails if the process exits or time runs out. */
    public ManagedProcess awaitLogLine(String marker, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!logContains(marker)) {
            if (!process.isAlive()) {
                throw failure("exited (code " + process.exitValue() + ") before printing " + marker);
            }
            if (System.nanoTime() > deadline) {
                throw failure("did not print " + marker + " within " + seconds(timeout));
            }
            sleep(200);
        }
        return this;
    }

    /** Waits until {@code url} answers 200 (e.g. {@code /q/health/ready}); fails if the process exits or time runs out. */
    public ManagedProcess awaitHttpOk(URI url, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw failure("exited (code " + process.exitValue() + ") before " + url + " answered 200");
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build();
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notListeningYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for " + url);
            }
            if (System.nanoTime() > deadline) {
                throw failure(url + " did not answer 200 within " + seconds(timeout));
            }
            sleep(300);
        }
    }

    /** Waits for the process to end by itself and returns its exit code; kills it and fails when time runs out. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessFailure failure = failure("still running after " + seconds(timeout) + " (killed)");
                kill();
                throw failure;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw failure("interrupted while waiting for it to exit (killed)");
        }
        return process.exitValue();
    }

    /** As {@link #awaitExit(Duration)}, and fails unless the exit code is 0. */
    public void awaitSuccess(Duration timeout) {
        int code = awaitExit(timeout);
        if (code != 0) {
            throw failure("exited with code " + code);
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited after {@code grace}. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** SIGKILL, and waits until it is gone: the process vanishes without closing anything, like a crashed node. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends a signal by name ({@code STOP}, {@code CONT}) with {@code kill(1)}. */
    public void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw failure("kill -" + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while sending " + signal);
        }
    }

    /** CPU time (user + system) the process has used so far, from {@code /proc}; zero if unknown. */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The log's whole text (empty if nothing was written yet; bytes that are not UTF-8 replaced). */
    public String logText() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (NoSuchFileException none) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code lines} lines of the log. */
    public String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** A failure naming this process, with the last lines of its log. */
    public ProcessFailure failure(String what) {
        return new ProcessFailure(name + " " + what + "; last lines of " + log + ":\n" + tail(TAIL_LINES));
    }

    private boolean logContains(String marker) {
        return logText().contains(marker);
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() / 1000.0 + " s";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessFailure("interrupted");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }

    /** A process to start. */
    public static final class Builder {
        private final String name;
        private final Path log;
        private final List<String> command;
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(String name, Path log, List<String> command) {
            this.name = name;
            this.log = log;
            this.command = List.copyOf(command);
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public ManagedProcess start() throws IOException {
            if (log.getParent() != null) {
                Files.createDirectories(log.getParent());
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            return new ManagedProcess(name, command, builder.start(), log);
        }
    }
}
