package ai.kull.sync.loadgen.bench;

import ai.kull.sync.process.Freshness;
import ai.kull.sync.process.ProcessFailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static ai.kull.sync.loadgen.bench.Processes.log;

/**
 * The benchmark ({@code Main bench}, wrapped by {@code bench/run.sh}): starts a broker, runs the scenarios
 * REPEATS times against gateway pods and baselines started as processes, and writes
 * {@code bench/results/<date>.md} with each figure's median and spread over the repeats. Settings are
 * environment variables or flags ({@link Settings}); {@code --help} lists them.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the benchmark; the process exit code. */
    public static int run(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println("bench/run.sh [--setting value ...]\n" + Settings.help());
            return 0;
        }
        Settings settings;
        List<Scenarios.Entry> scenarios;
        try {
            settings = new Settings(System.getenv(), args);
            scenarios = Scenarios.select(settings.words("SCENARIOS"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Path root = root();
        Path runDir = settings.string("RUN_DIR").isBlank() ? root.resolve("target/bench")
                : Path.of(settings.string("RUN_DIR")).toAbsolutePath();
        Path results = settings.string("RESULTS").isBlank()
                ? root.resolve("bench/results/" + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE) + ".md")
                : Path.of(settings.string("RESULTS"));
        Processes processes = new Processes(root, settings, runDir);
        Thread stopper = new Thread(processes::stopAll, "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C or SIGTERM: take every child down too
        try {
            Table table = new Table();
            List<String> notes = new ArrayList<>();
            // The jars the scenarios start; the wrapper rebuilds stale ones, run directly we refuse them.
            Freshness.requireFresh(root, "loadgen", root.resolve("loadgen/target/classpath.txt"));
            Freshness.requireFresh(root, "gateway-service");
            limitOpenFiles(settings, notes);
            Files.createDirectories(runDir);
            processes.broker(runDir);
            int repeats = Math.max(1, settings.integer("REPEATS"));
            for (int repeat = 1; repeat <= repeats; repeat++) {
                processes.dir = runDir.resolve("r" + repeat);
                Files.createDirectories(processes.dir);
                log("repeat %d of %d: %s", repeat, repeats, String.join(" ", settings.words("SCENARIOS")));
                Repeat pass = new Repeat(repeat, settings, processes, table, notes);
                for (Scenarios.Entry entry : scenarios) {
                    entry.scenario().run(pass);
                }
            }
            new ResultsFile(root, settings, repeats).write(results, table, notes, processes.commands, scenarios);
            log("results: %s", results);
            return 0;
        } catch (ProcessFailure | IllegalArgumentException e) {
            System.err.println("[bench] FAILED: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("[bench] FAILED: " + e);
            e.printStackTrace();
            return 1;
        } finally {
            processes.stopAll();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    /** The repository: {@code -Dbench.root} (bench/run.sh sets it), else the working directory or a parent holding bench/run.sh. */
    static Path root() {
        if (System.getProperty("bench.root") != null) {
            return Path.of(System.getProperty("bench.root")).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path at = dir; at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("bench/run.sh")) && Files.isRegularFile(at.resolve("pom.xml"))) {
                return at;
            }
        }
        throw new IllegalArgumentException("run from the repository (no bench/run.sh above " + dir + ")");
    }

    /**
     * One pod holds one file per session: with a hard open-files limit below CONN_SESSIONS + 200 the scenario
     * runs with 500 fewer than the limit, and says so. (The wrapper raises the soft limit to the hard one.)
     */
    private static void limitOpenFiles(Settings settings, List<String> notes) throws IOException {
        long[] limits = openFilesLimits();
        int sessions = settings.integer("CONN_SESSIONS");
        if (limits[1] > 0 && limits[1] < sessions + 200L && settings.words("SCENARIOS").contains("connections")) {
            int reduced = (int) (limits[1] - 500);
            notes.add("Connections: this machine's hard open-files limit is " + limits[1] + ", so one pod cannot hold "
                    + sessions + " sessions (one file each, plus its own); the scenario ran with " + reduced + ". Raise "
                    + "`ulimit -n` (as root, or in the pod's spec) to run it at 20,000.");
            settings.set("CONN_SESSIONS", String.valueOf(reduced));
        }
        if (limits[0] > 0 && limits[0] < limits[1]) {
            log("open files: soft limit %d below the hard %d (bench/run.sh raises it; `ulimit -n %d` first)",
                    limits[0], limits[1], limits[1]);
        }
    }

    /** Soft and hard open-files limits of this process (from /proc/self/limits; -1 if unknown). */
    static long[] openFilesLimits() throws IOException {
        Path limits = Path.of("/proc/self/limits");
        if (Files.isReadable(limits)) {
            for (String line : Files.readAllLines(limits)) {
                if (line.startsWith("Max open files")) {
                    String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                    return new long[] {parse(parts[0]), parse(parts[1])};
                }
            }
        }
        return new long[] {-1, -1};
    }

    private static long parse(String limit) {
        return limit.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(limit);
    }

    /** The output of a short command (machine facts, git), bounded by 30 s; empty on any failure. */
    static String output(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "";
            }
            return process.exitValue() == 0 ? new String(out).stripTrailing() : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    /** Whether a command exits 0 within 30 s. */
    static boolean succeeds(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The results file: the same sections bench/run.sh wrote, and how many repeats each figure summarises. */
    private record ResultsFile(Path root, Settings settings, int repeats) {

        void write(Path results, Table table, List<String> notes, List<String> commands,
                   List<Scenarios.Entry> scenarios)
                throws IOException {
            List<String> out = new ArrayList<>();
            out.add("# Benchmark results " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")) + " UTC");
            out.add("");
            out.add("Written by `bench/run.sh` (see the README, \"Load testing and benchmarks\"). Every ratio compares");
            out.add("figures measured in this same run, on this machine, with the load generator on the same cores.");
            out.add("");
            out.add("## Machine");
            out.add("");
            out.add("```");
            out.add("nproc: " + Runtime.getRuntime().availableProcessors());
            out.add("cpu: " + cpuModel());
            out.add(output(root, "free", "-m"));
            out.add(output(root, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"));
            out.add("load average at the end: " + String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3)));
            long[] limits = openFilesLimits();
            List<String> changed = settings.changed();
            out.add("open files limit (soft/hard): " + limits[0] + "/" + limits[1]);
            out.add("```");
            out.add("");
            String commit = output(root, "git", "rev-parse", "--short", "HEAD");
            out.add("Commit: `" + (commit.isEmpty() ? "unknown" : commit)
                    + (succeeds(root, "git", "diff", "--quiet") ? "" : " (with local changes)") + "`");
            out.add("");
            out.add("Command: `" + settings.string("BENCH_COMMAND") + "`");
            out.add("");
            out.add("Settings other than the defaults: " + (changed.isEmpty() ? "none" : "`" + String.join(" ", changed) + "`"));
            out.add("");
            out.add("## Figures");
            out.add("");
            out.add(repeats == 1 ? "One run of each scenario (REPEATS=1): one run, stability unknown."
                    : "Each scenario ran " + repeats + " times (REPEATS=" + repeats + "), one after the other in the "
                    + "order given; each figure is the median of the " + repeats + " runs, followed by (lowest-highest) "
                    + "when they differ. Ratios are taken within each run, then summarised. The last column gives, "
                    + "for each number of the gateway, baseline and ratio cells in the order they are printed, its "
                    + "spread (highest-lowest)/median over the runs; a row is stable when every spread is at most "
                    + Math.round(Table.STABLE * 100) + "%, unstable otherwise.");
            out.add("");
            out.addAll(method(scenarios));
            out.add("| scenario | gateway | baseline | ratio | goal | spread over the repeats |");
            out.add("|---|---|---|---|---|---|");
            out.addAll(table.lines());
            out.add("");
            if (!notes.isEmpty()) {
                out.add("## Notes");
                out.add("");
                notes.stream().distinct().forEach(note -> out.add("- " + note));
                out.add("");
            }
            out.add("## Exact commands");
            out.add("");
            out.add("`LOADGEN_CP` is `loadgen/target/classes` plus `loadgen/target/classpath.txt`; the broker, gateway pods");
            out.add("and bare server are started by `Main bench` (`ai.kull.sync.loadgen.bench`, see `Processes`), repeat");
            out.add("N's logs and JSON under `RUN_DIR/rN/`.");
            out.add("");
            out.add("```");
            out.addAll(commands);
            out.add("```");
            if (results.getParent() != null) {
                Files.createDirectories(results.getParent());
            }
            Files.write(results, out);
        }

        /** How the headline figures are taken, for the scenarios that ran. */
        private static List<String> method(List<Scenarios.Entry> scenarios) {
            List<String> out = new ArrayList<>(scenarios.stream().distinct().map(entry -> entry.scenario().method())
                    .filter(method -> !method.isEmpty()).map(method -> "- " + method).toList());
            if (!out.isEmpty()) {
                out.add("");
            }
            return out;
        }

        private static String cpuModel() throws IOException {
            try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
                return lines.filter(line -> line.startsWith("model name")).findFirst()
                        .map(line -> line.substring(line.indexOf(':') + 1).strip()).orElse("unknown");
            }
        }
    }
}
