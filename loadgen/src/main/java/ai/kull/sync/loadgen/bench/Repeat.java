package ai.kull.sync.loadgen.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pass over the chosen scenarios, and all a scenario gets: the settings, the processes it may start, the table,
 * notes and charts it writes to, and the results earlier scenarios of this pass handed on. The load-run arguments and
 * deadlines every scenario uses live here too.
 */
final class Repeat {

    /** Added to every deadline derived from a run's own length: a loaded machine starts and stops JVMs slowly. */
    private static final Duration SLACK = Duration.ofMinutes(3);

    final int number;
    final Settings settings;
    final Processes processes;
    final Table table;
    final List<String> notes;
    /** Shared by every repeat: each adds the same bars and lines, drawn as medians with ranges at the end. */
    final BenchCharts charts;
    private final Map<Class<?>, Record> results = new HashMap<>();

    Repeat(int number, Settings settings, Processes processes, Table table, List<String> notes, BenchCharts charts) {
        this.number = number;
        this.settings = settings;
        this.processes = processes;
        this.table = table;
        this.notes = notes;
        this.charts = charts;
    }

    /** Hands a scenario's result to the scenarios after it in this repeat (the fan-out's maximum to latency). */
    void handOn(Record result) {
        results.put(result.getClass(), result);
    }

    /** What an earlier scenario of this repeat handed on, if it ran. */
    <T extends Record> Optional<T> result(Class<T> type) {
        return Optional.ofNullable(type.cast(results.get(type)));
    }

    /** A deadline: {@code seconds} of expected work plus the slack. */
    static Duration withSlack(long seconds) {
        return Duration.ofSeconds(seconds).plus(SLACK);
    }

    /** Timeout of a load run: warm-up, duration, connecting (120 s) and draining (15 s), plus slack. */
    Duration loadTimeout(int seconds) {
        return withSlack(settings.integer("WARMUP_SECONDS") + seconds + 120 + 15);
    }

    /** The arguments of a measured load run (after WARMUP_SECONDS of warm-up) against {@code gateways}. */
    String[] loadArgs(String gateways, int users, int devices, int rate, int seconds, String... more) {
        List<String> args = new ArrayList<>(List.of("--gateways", gateways, "--users", "" + users,
                "--devices-per-user", "" + devices, "--rate", "" + rate, "--duration", seconds + "s",
                "--warmup", settings.integer("WARMUP_SECONDS") + "s", "--connect-rate", "2000"));
        args.addAll(List.of(more));
        args.addAll(List.of("--bootstrap", processes.bootstrap, "--jwt-secret", Processes.JWT_SECRET));
        return args.toArray(String[]::new);
    }

    /** Seconds as milliseconds, two decimals. */
    static double ms(double seconds) {
        return Math.round(seconds * 100_000) / 100.0;
    }

    /** A server's CPU time over deliveries in microseconds, one decimal; NaN without deliveries. */
    static double microsPerDelivery(Duration cpu, double delivered) {
        return delivered > 0 ? Math.round(cpu.toNanos() / 1000.0 / delivered * 10) / 10.0 : Double.NaN;
    }

    /** Bytes per session in KiB, one decimal; NaN without sessions. */
    static double perSessionKiB(double bytes, double sessions) {
        return sessions > 0 ? Math.round(bytes / sessions / 1024 * 10) / 10.0 : Double.NaN;
    }
}
