package ai.kull.sync.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a cluster needs for a number of connected devices, from one benchmark results file's per-pod figures
 * and a few stated assumptions (flags): {@code Main capacity --results bench/results/X.md [--devices 10000000]}.
 * docs/capacity.md is this command's output with its defaults, explained; a test keeps the two equal.
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

    /** The load and the deployment assumed; every default is here and nowhere else. */
    record Assumed(double devices, double devicesPerUser, double eventsPerDevicePerMinute, double burstFactor,
                   double sessionsPerPod, double rssPerSessionKiB, double recordBytes, double directoryBytesPerDevice,
                   double windowSeconds, double windowMaxBytes) {

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
                    flags.number("window-seconds", 300),
                    flags.number("window-max-bytes", 64 << 20));
        }
    }

    /** Bytes the replay window counts per record besides its value (ReplayWindow.ENTRY_BYTES). */
    private static final double WINDOW_ENTRY_BYTES = 72;
    private static final double MIB = 1 << 20;
    private static final double GIB = 1 << 30;
    /** Device counts the scaling table shows. */
    private static final double[] SCALE = {100_000, 300_000, 1_000_000, 3_000_000, 10_000_000};

    private final Measured measured;
    private final Assumed assumed;

    CapacityModel(Measured measured, Assumed assumed) {
        this.measured = measured;
        this.assumed = assumed;
    }

    static void run(Flags flags) throws IOException {
        Path results = Path.of(flags.string("results", "bench/results/2026-11-30.md"));
        CapacityModel model = new CapacityModel(Measured.from(results), Assumed.from(flags));
        System.out.print(model.report(results.getFileName().toString()));
    }

    private double rssPerSessionKiB() {
        return Double.isNaN(measured.rssPerSessionKiB) ? assumed.rssPerSessionKiB : measured.rssPerSessionKiB;
    }

    /** The markdown docs/capacity.md embeds. */
    String report(String resultsName) {
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
        out.add(row("replay window holding " + f(assumed.windowSeconds, 0) + " s, per pod, GiB", load.windowFull / GIB,
                Double.NaN, 2));
        out.add(row("seconds the " + f(assumed.windowMaxBytes / MIB, 0) + " MiB window covers", load.windowCovers,
                load.windowCovers / assumed.burstFactor, 1));
        out.add("");
        out.add("| devices | pods | routing thread at burst | broker egress at burst, Gbit/s | directory per pod, MiB "
                + "| window covers at average, s |");
        out.add("|---|---|---|---|---|---|");
        for (double devices : SCALE) {
            Load at = new Load(devices);
            out.add("| " + f(devices, 0) + " | " + f(at.pods, 0) + " | " + f(at.consumeShare * assumed.burstFactor, 2)
                    + " | " + f(at.egressBytes * assumed.burstFactor * 8 / 1e9, 1) + " | " + f(at.directory / MIB, 0)
                    + " | " + f(at.windowCovers, 1) + " |");
        }
        return String.join("\n", out) + "\n";
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
