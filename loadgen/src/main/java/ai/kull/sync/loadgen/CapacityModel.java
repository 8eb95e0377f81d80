package ai.kull.sync.loadgen;

import ai.kull.sync.gateway.config.GatewayConfig.Replay;
import ai.kull.sync.gateway.replay.ReplayWindow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a cluster needs for a number of connected devices, from one benchmark results file's per-pod figures
 * and a few stated assumptions (flags): {@code Main capacity --results bench/results/X.md [--devices 10000000]}.
 * The log-read cost of a resume storm comes from scenario 8's rows (deep-resume) of the same file, or of
 * {@code --deep-results Y.md}. docs/capacity.md is this command's output with its defaults, explained; a test
 * keeps the two equal.
 */
final class CapacityModel {

    /** A results file's measured figures this model uses. */
    /** @param rssPerSessionKiB NaN in results files from before RSS was measured (then {@code --rss-per-session-kib}) */
    record Measured(double cpuPerDeliveryMicros, double consumedPerSecond, double heapPerSessionKiB,
                    double rssPerSessionKiB) {

        static Measured from(Path results) throws IOException {
            String text = Files.readString(results);
            return new Measured(
                    gatewayFigure(text, "fan-out: server CPU per delivery"),
                    gatewayFigure(text, "consume side: records/s"),
                    gatewayFigure(text, "heap per idle session"),
                    text.contains("process RSS per idle session") ? gatewayFigure(text, "process RSS per idle session")
                            : Double.NaN);
        }

        /** The gateway column of the figures row whose label contains {@code label}. */
        private static double gatewayFigure(String results, String label) {
            Matcher row = Pattern.compile("^\\|[^|]*" + Pattern.quote(label) + "[^|]*\\| ([0-9.]+) ", Pattern.MULTILINE)
                    .matcher(results);
            if (!row.find()) {
                throw new IllegalArgumentException("no figures row with '" + label + "' in the results file");
            }
            return Double.parseDouble(row.group(1));
        }
    }

    /**
     * Scenario 8's figures (bench {@code DeepResume.storm()}): devices away longer than the pod's window resumed at
     * once, what they read from the log and what the pod's CPU did meanwhile. Medians over the repeats.
     *
     * @param resumed                 devices that resumed (not told to resync)
     * @param recordsPerResumedDevice records read from the log per resumed device
     * @param recordsRead             records read from the log in all
     * @param passes                  passes over the log
     * @param stormCpuSeconds         the pod's CPU seconds during the storm
     * @param stormCores              cores busy during the storm
     * @param withoutStormCores       cores busy in the phase without it (the same traffic, no resumes)
     * @param awaySeconds             how long the devices were away
     * @param windowSeconds           the pod's replay window
     * @param eventsPerSecond         the whole stream's rate in the run (to the away and to the live devices' users)
     */
    record DeepMeasured(double resumed, double recordsPerResumedDevice, double recordsRead, double passes,
                        double stormCpuSeconds, double stormCores, double withoutStormCores,
                        double awaySeconds, double windowSeconds, double eventsPerSecond) {

        /** Partitions of the benchmark's topics (the local broker's and GATEWAY_KAFKA_TOPIC_PARTITIONS' default). */
        static final double BENCH_PARTITIONS = 6;
        private static final Pattern CONDITIONS = Pattern.compile("\\d+ devices away ([0-9.]+) s, window ([0-9.]+) s, "
                + "admission [0-9.]+/s, ([0-9.]+) events/s to their users; [0-9.]+ live devices, ([0-9.]+) events/s to theirs");

        /** The file's deep-resume figures, or null when it has none (a results file without scenario 8). */
        static DeepMeasured find(Path results) throws IOException {
            String text = Files.readString(results);
            String[] log = row(text, "8. deep resume: records read from the log per resumed device");
            if (log == null) {
                return null;
            }
            String[] time = require(row(text, "8. deep resume: seconds until all answered"), "seconds until all answered");
            String[] outcome = require(row(text, "8. deep resume: resumed / resync required"), "resumed / resync required");
            String[] cpu = require(row(text, "8. deep resume: pod CPU during the storm"), "pod CPU during the storm");
            Matcher conditions = CONDITIONS.matcher(time[0]);
            if (!conditions.find()) {
                throw new IllegalArgumentException("the deep-resume row's conditions do not read: " + time[0]);
            }
            double[] read = numbers(log[1], 3, "records read from the log");
            double[] storm = numbers(cpu[1], 2, "pod CPU during the storm");
            return new DeepMeasured(numbers(outcome[1], 1, "resumed")[0], read[0], read[1], read[2], storm[0], storm[1],
                    numbers(cpu[2], 1, "cores busy without the storm")[0],
                    Double.parseDouble(conditions.group(1)), Double.parseDouble(conditions.group(2)),
                    Double.parseDouble(conditions.group(3)) + Double.parseDouble(conditions.group(4)));
        }

        /** The gateway CPU the storm added: its CPU seconds less the cores busy without it over the same time. */
        double extraCpuSeconds() {
            return stormCpuSeconds * (1 - withoutStormCores / stormCores);
        }

        double cpuPerLogRecordMicros() {
            return extraCpuSeconds() / recordsRead * 1e6;
        }

        /** Seconds of the stream the log served per device: what the window no longer held. */
        double logSeconds() {
            return awaySeconds - windowSeconds;
        }

        /** A resumed device's own partitions' records over that stretch: its read without sharing. */
        double ownStretch() {
            return logSeconds() * eventsPerSecond / BENCH_PARTITIONS;
        }

        /** Records read per resumed device over its own stretch: below 1 when resumes shared passes. */
        double sharing() {
            return recordsPerResumedDevice / ownStretch();
        }

        /** The cells of the figures row whose label contains {@code label}, or null. */
        private static String[] row(String results, String label) {
            for (String line : results.split("\n")) {
                if (line.startsWith("| ") && line.contains(label)) {
                    String[] cells = line.substring(2).split(" \\| ", -1);
                    if (cells.length >= 3 && cells[0].contains(label)) {
                        return cells;
                    }
                }
            }
            return null;
        }

        private static String[] require(String[] cells, String what) {
            if (cells == null) {
                throw new IllegalArgumentException("the results file has deep-resume rows but none with '" + what + "'");
            }
            return cells;
        }

        /**
         * The first {@code count} numbers of a cell as the bench writes it: each the median over the repeats, then
         * its range "(low-high)" or "(low to high)" when the repeats differ, and "[k n/a]" for missing repeats.
         */
        static double[] numbers(String cell, int count, String what) {
            String medians = cell.replaceAll("\\s*\\[\\d+ n/a]", "")
                    .replaceAll("\\s*\\(-?[0-9.]+(-| to )-?[0-9.]+\\)", "");
            Matcher number = Pattern.compile("n/a|-?[0-9]+(\\.[0-9]+)?").matcher(medians);
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                if (!number.find() || number.group().equals("n/a")) {
                    throw new IllegalArgumentException("no figure " + (i + 1) + " for '" + what + "' in '" + cell + "'");
                }
                values[i] = Double.parseDouble(number.group());
            }
            return values;
        }
    }

    /** The load and the deployment assumed; every default is here and nowhere else. */
    record Assumed(double devices, double devicesPerUser, double eventsPerDevicePerMinute, double burstFactor,
                   double sessionsPerPod, double rssPerSessionKiB, double recordBytes, double directoryBytesPerDevice,
                   double windowSeconds, double windowMaxBytes, double partitions, double userEventsRetentionHours,
                   double shootPromptRetentionHours, double creditsRetentionHours, double stormShare,
                   double stormAwayMinutes, double logReaders) {

        static Assumed from(Flags flags) {
            return new Assumed(
                    flags.number("devices", 10_000_000),
                    flags.number("devices-per-user", 3),
                    flags.number("events-per-device-per-minute", 1),
                    flags.number("burst", 10),
                    // One pod's share of connections; the measured 19,500 idle sessions were the file limit, not memory.
                    flags.number("sessions-per-pod", 50_000),
                    // For results files without the RSS row: measured at 5,000 idle sessions on one pod after a
                    // full GC on 2026-11-30.
                    flags.number("rss-per-session-kib", 27.7),
                    // A SHOOT_PROGRESS or CREDIT_UPDATE value (~450 B) with key, routing headers and batch overhead.
                    flags.number("record-bytes", 600),
                    // The presence directory every pod keeps for the whole cluster (DeviceDirectory, measured ~200 B).
                    flags.number("directory-bytes-per-device", 200),
                    // The gateway's defaults (GATEWAY_REPLAY_WINDOW, GATEWAY_REPLAY_MAX_BYTES).
                    flags.number("window-seconds", Duration.parse("PT" + Replay.WINDOW_DEFAULT).toSeconds()),
                    flags.number("window-max-bytes", Long.parseLong(Replay.MAX_BYTES_DEFAULT)),
                    // The Helm chart's kafka.topics.partitions: a user's records lie in one partition of each topic.
                    flags.number("partitions", 6),
                    // The Helm chart's kafka.topics.retentionMs (hours; -1 forever): the resume horizon.
                    flags.number("user-events-retention-hours", 24),
                    flags.number("shoot-prompt-retention-hours", 168),
                    flags.number("credits-retention-hours", -1),
                    // A resume storm: this share of all devices back at once after this long away.
                    flags.number("storm-share", 0.10),
                    flags.number("storm-away-minutes", 10),
                    // GATEWAY_REPLAY_LOG_READERS' default.
                    flags.number("log-readers", Integer.parseInt(Replay.LOG_READERS_DEFAULT)));
        }
    }

    /** Bytes the replay window counts per record besides its value. */
    private static final double WINDOW_ENTRY_BYTES = ReplayWindow.ENTRY_BYTES;
    private static final double MIB = 1 << 20;
    private static final double GIB = 1 << 30;
    /** Device counts the scaling table shows. */
    private static final double[] SCALE = {100_000, 300_000, 1_000_000, 3_000_000, 10_000_000};
    /** Device counts the resume tables show. */
    private static final double[] RESUME_SCALE = {1_000_000, 10_000_000};

    private final Measured measured;
    /** Null when no results file given has scenario 8's rows. */
    private final DeepMeasured deep;
    private final Assumed assumed;

    CapacityModel(Measured measured, Assumed assumed) {
        this(measured, null, assumed);
    }

    CapacityModel(Measured measured, DeepMeasured deep, Assumed assumed) {
        this.measured = measured;
        this.deep = deep;
        this.assumed = assumed;
    }

    static void run(Flags flags) throws IOException {
        Path results = Path.of(flags.string("results", "bench/results/2026-11-30.md"));
        // Named as given: docs/capacity.md quotes it, and its test reads it from the repository's root.
        String deepResults = flags.string("deep-results", results.toString());
        CapacityModel model = new CapacityModel(Measured.from(results), DeepMeasured.find(Path.of(deepResults)),
                Assumed.from(flags));
        System.out.print(model.report(results.getFileName().toString(), deepResults));
    }

    private double rssPerSessionKiB() {
        return Double.isNaN(measured.rssPerSessionKiB) ? assumed.rssPerSessionKiB : measured.rssPerSessionKiB;
    }

    /** The markdown docs/capacity.md embeds; {@code deepName} names the file scenario 8's figures came from. */
    String report(String resultsName, String deepName) {
        List<String> out = new ArrayList<>();
        Load load = new Load(assumed.devices);
        out.add("Per-pod figures from `" + resultsName + "`: " + f(measured.cpuPerDeliveryMicros, 1)
                + " us of gateway CPU per delivery, " + f(measured.consumedPerSecond, 0)
                + " records/s read and filtered by one pod's routing thread, " + f(measured.heapPerSessionKiB, 1)
                + " KiB of heap and " + f(rssPerSessionKiB(), 1) + " KiB of process RSS per idle session"
                + (Double.isNaN(measured.rssPerSessionKiB) ? " (assumed: the file has no RSS row)." : "."));
        out.add("");
        out.add("| " + f(assumed.devices, 0) + " devices | average | burst (x" + f(assumed.burstFactor, 0) + ") |");
        out.add("|---|---|---|");
        out.add(row("deliveries/s (events reaching a device)", load.deliveries, load.deliveries * assumed.burstFactor, 0));
        out.add(row("Kafka records/s (one per user event)", load.records, load.records * assumed.burstFactor, 0));
        out.add(row("Kafka ingress, MB/s", load.ingressBytes / 1e6, load.ingressBytes * assumed.burstFactor / 1e6, 1));
        out.add(row("gateway pods (" + f(assumed.sessionsPerPod, 0) + " sessions each)", load.pods, load.pods, 0));
        out.add(row("cores for deliveries, whole cluster", load.deliveryCores, load.deliveryCores * assumed.burstFactor, 1));
        out.add(row("share of each pod's routing thread spent reading the stream", load.consumeShare,
                load.consumeShare * assumed.burstFactor, 2));
        out.add(row("cores for reading the stream, whole cluster", load.consumeCores,
                load.consumeCores * assumed.burstFactor, 1));
        out.add(row("broker egress (pods x ingress), Gbit/s", load.egressBytes * 8 / 1e9,
                load.egressBytes * assumed.burstFactor * 8 / 1e9, 1));
        out.add(row("memory per pod for sessions (RSS), GiB", load.sessionMemory / GIB, load.sessionMemory / GIB, 2));
        out.add(row("presence directory on every pod, MiB", load.directory / MIB, load.directory / MIB, 0));
        out.add(row("replay window (a cache: older resumes read the log) holding " + f(assumed.windowSeconds, 0)
                + " s, per pod, GiB", load.windowFull / GIB, Double.NaN, 2));
        out.add(row("seconds of the stream the " + f(assumed.windowMaxBytes / MIB, 0)
                + " MiB window caches (resumes within them skip the log)", load.windowCovers,
                load.windowCovers / assumed.burstFactor, 1));
        out.add("");
        out.add("| devices | pods | routing thread at burst | broker egress at burst, Gbit/s | directory per pod, MiB "
                + "| window caches at average, s |");
        out.add("|---|---|---|---|---|---|");
        for (double devices : SCALE) {
            Load at = new Load(devices);
            out.add("| " + f(devices, 0) + " | " + f(at.pods, 0) + " | " + f(at.consumeShare * assumed.burstFactor, 2)
                    + " | " + f(at.egressBytes * assumed.burstFactor * 8 / 1e9, 1) + " | " + f(at.directory / MIB, 0)
                    + " | " + f(at.windowCovers, 1) + " |");
        }
        out.add("");
        horizon(out);
        out.add("");
        storm(out, deepName);
        return String.join("\n", out) + "\n";
    }

    /** The resume horizon (the topics' retention) and what one device coming back from its edge reads. */
    private void horizon(List<String> out) {
        out.add("Resume horizon: the topics' retention, " + hours(assumed.userEventsRetentionHours)
                + " for user events, " + hours(assumed.shootPromptRetentionHours) + " for shoot and prompt events, "
                + "credits " + hours(assumed.creditsRetentionHours) + "; a cursor older than a topic's retention gets "
                + "RESYNC_REQUIRED.");
        out.add("");
        double away = assumed.userEventsRetentionHours * 3600;
        out.add("| one device back after " + hours(assumed.userEventsRetentionHours) + " away (the user events' "
                + "retention), alone | " + columns());
        out.add("|---|" + "---|".repeat(RESUME_SCALE.length));
        StringBuilder records = new StringBuilder("| records it reads from the log (its partitions' stretch), millions |");
        StringBuilder seconds = new StringBuilder("| seconds of one log reader at the measured gateway CPU per record |");
        for (double devices : RESUME_SCALE) {
            double read = new Load(devices).ownStretch(away);
            records.append(' ').append(f(read / 1e6, 1)).append(" |");
            seconds.append(' ').append(deep == null ? "-" : f(read * deep.cpuPerLogRecordMicros() / 1e6, 0)).append(" |");
        }
        out.add(records.toString());
        out.add(seconds.toString());
    }

    /**
     * A resume storm's log reads at the resume scale: without sharing (every device reads its own partitions' stretch),
     * with the measured sharing, and the floor (one pass per reader); their CPU at the measured cost per record,
     * their time with each reader busy at that cost, and the brokers' egress.
     */
    private void storm(List<String> out, String deepName) {
        if (deep == null) {
            out.add("No deep-resume figures (scenario 8) in `" + deepName + "`: the log-read cost of a resume storm "
                    + "is not computed.");
            return;
        }
        double c = deep.cpuPerLogRecordMicros() / 1e6;
        out.add("Resume-storm figures from `" + deepName + "`: " + f(deep.resumed, 0) + " devices away "
                + f(deep.awaySeconds, 0) + " s (window " + f(deep.windowSeconds, 0) + " s, " + f(deep.eventsPerSecond, 0)
                + " events/s) resumed at once and read " + f(deep.recordsPerResumedDevice, 1)
                + " records each from the log (" + f(deep.recordsRead, 0) + " in " + f(deep.passes, 0)
                + " passes), against " + f(deep.ownStretch(), 0) + " in their own partitions' stretch (" + f(deep.logSeconds(), 0)
                + " s over " + f(DeepMeasured.BENCH_PARTITIONS, 0) + " partitions): x" + f(deep.sharing(), 2)
                + " of a read without sharing. The storm added " + f(deep.extraCpuSeconds(), 2) + " s of gateway CPU ("
                + f(deep.stormCpuSeconds, 2) + " s at " + f(deep.stormCores, 2) + " cores busy, " + f(deep.withoutStormCores, 2)
                + " without it): " + f(deep.cpuPerLogRecordMicros(), 2) + " us per record read from the log.");
        out.add("");
        out.add("| " + f(assumed.stormShare * 100, 0) + "% of the devices back at once after "
                + f(assumed.stormAwayMinutes, 0) + " min away | devices back per pod | records read from the log per "
                + "pod, millions | gateway CPU per pod, core-seconds | seconds with " + f(assumed.logReaders, 0)
                + " log readers per pod | broker egress per pod, GB | broker egress, whole cluster, TB |");
        out.add("|---|---|---|---|---|---|---|");
        for (double devices : RESUME_SCALE) {
            Load at = new Load(devices);
            double back = assumed.stormShare * devices / at.pods;
            double away = assumed.stormAwayMinutes * 60;
            double unshared = back * at.ownStretch(away);
            // The floor: each reader's pass takes every request queued and reads each partition's stretch once.
            double[] reads = {unshared, unshared * deep.sharing(), assumed.logReaders * at.records * at.logSeconds(away)};
            String[] how = {"without sharing", "measured sharing (x" + f(deep.sharing(), 2) + ")",
                    "one shared pass per log reader"};
            for (int i = 0; i < reads.length; i++) {
                double bytes = reads[i] * assumed.recordBytes;
                out.add("| " + f(devices, 0) + " devices, " + how[i] + " | " + f(back, 0) + " | " + f(reads[i] / 1e6, 1)
                        + " | " + f(reads[i] * c, 0) + " | " + f(reads[i] * c / assumed.logReaders, 0) + " | "
                        + f(bytes / 1e9, 1) + " | " + f(bytes * at.pods / 1e12, 2) + " |");
            }
        }
        out.add("");
        double podGbit = assumed.logReaders * assumed.recordBytes * 8 / c / 1e9;
        StringBuilder rate = new StringBuilder("While a storm lasts, each pod's " + f(assumed.logReaders, 0)
                + " log readers pull " + f(podGbit, 2) + " Gbit/s from the brokers (" + f(assumed.logReaders, 0) + " x "
                + f(assumed.recordBytes, 0) + " B per " + f(deep.cpuPerLogRecordMicros(), 2) + " us)");
        for (double devices : RESUME_SCALE) {
            Load at = new Load(devices);
            rate.append(", ").append(f(podGbit * at.pods, 0)).append(" Gbit/s over the ").append(f(at.pods, 0))
                    .append(" pods of ").append(f(devices, 0)).append(" devices");
        }
        out.add(rate + ".");
    }

    /** The figures at one device count, at the average rate; a burst multiplies the rates. */
    private final class Load {
        final double deliveries;
        final double records;
        final double ingressBytes;
        final double pods;
        final double deliveryCores;
        final double consumeShare;
        final double consumeCores;
        final double egressBytes;
        final double sessionMemory;
        final double directory;
        final double windowFull;
        final double windowCovers;

        Load(double devices) {
            deliveries = devices * assumed.eventsPerDevicePerMinute / 60;
            // A user's event reaches all of the user's devices: one record, devicesPerUser deliveries.
            records = deliveries / assumed.devicesPerUser;
            ingressBytes = records * assumed.recordBytes;
            pods = Math.ceil(devices / assumed.sessionsPerPod);
            deliveryCores = deliveries * measured.cpuPerDeliveryMicros / 1e6;
            // Every pod reads every partition (decision 1): each pays for the whole stream.
            consumeShare = records / measured.consumedPerSecond;
            consumeCores = consumeShare * pods;
            egressBytes = ingressBytes * pods;
            sessionMemory = Math.min(devices, assumed.sessionsPerPod) * rssPerSessionKiB() * 1024;
            directory = devices * assumed.directoryBytesPerDevice;
            double windowBytesPerRecord = assumed.recordBytes + WINDOW_ENTRY_BYTES;
            windowFull = records * assumed.windowSeconds * windowBytesPerRecord;
            windowCovers = assumed.windowMaxBytes / (records * windowBytesPerRecord);
        }

        /** Of a device away this long, the seconds of the stream the log serves: what the window no longer holds. */
        double logSeconds(double awaySeconds) {
            return Math.max(0, awaySeconds - windowCovers);
        }

        /** A device's own partitions' records over that stretch: a user's records lie in one partition per topic. */
        double ownStretch(double awaySeconds) {
            return records * logSeconds(awaySeconds) / assumed.partitions;
        }
    }

    /** The resume scale as table columns: "1,000,000 devices | 10,000,000 devices |". */
    private static String columns() {
        StringBuilder text = new StringBuilder();
        for (double devices : RESUME_SCALE) {
            text.append(f(devices, 0)).append(" devices |");
            text.append(devices == RESUME_SCALE[RESUME_SCALE.length - 1] ? "" : " ");
        }
        return text.toString();
    }

    /** A retention in hours as the chart's comments say it: days when whole, forever when negative. */
    private static String hours(double hours) {
        if (hours < 0) {
            return "forever";
        }
        if (hours % 24 == 0) {
            return f(hours / 24, 0) + (hours == 24 ? " day" : " days");
        }
        return f(hours, 0) + " h";
    }

    /** A burst of NaN: the row has no burst figure. */
    private static String row(String label, double average, double burst, int decimals) {
        return "| " + label + " | " + f(average, decimals) + " | " + (Double.isNaN(burst) ? "-" : f(burst, decimals)) + " |";
    }

    private static String f(double value, int decimals) {
        return decimals == 0 ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }
}
