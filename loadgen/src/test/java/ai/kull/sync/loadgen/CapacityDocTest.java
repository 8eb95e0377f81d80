package ai.kull.sync.loadgen;

import ai.kull.sync.gateway.replay.ReplayWindow;

import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/capacity.md's tables are what {@code Main capacity} computes from the results files the doc names: the
 * per-pod figures' file (in bench/results) and the deep-resume figures' file (a path from the repository's root).
 */
class CapacityDocTest {

    private static final Path ROOT = Path.of("..");
    /** Scenario 8's rows from one small run's figures, a stand-in until a full results file has them. */
    private static final Path FIXTURE = ROOT.resolve("loadgen/src/test/resources/capacity/deep-resume-fixture.md");

    @Test
    void theDocumentsTablesAreTheModelsOutputForTheResultsFilesItNames() throws Exception {
        String block = generatedBlock();
        assertThat(block).isEqualTo(expected(block, new String[0]));
    }

    @Test
    void theComparisonSeesAChangedAssumption() throws Exception {
        String block = generatedBlock();
        assertThat(expected(block, new String[] {"--storm-share", "0.2"})).isNotEqualTo(block);
        assertThat(expected(block, new String[] {"--user-events-retention-hours", "48"})).isNotEqualTo(block);
    }

    @Test
    void aResultsFileWithMediansRangesAndTheSpreadColumnParses(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.md");
        Files.writeString(results, """
                | scenario | gateway | baseline | ratio | goal | spread over the repeats |
                |---|---|---|---|---|---|
                | 2. consume side: records/s read and filtered (1200000 records backlog) | 700000 (650000-750000) | 1500000 | 0.47 | >= 0.8 | gateway 14.3%, baseline 0.0%, ratio 12.0%: **unstable** |
                | 1. fan-out: server CPU per delivery, microseconds (process CPU over deliveries) | 13.1 (12.8-13.4) | 11 | 0.84 | >= 0.95 (within 5%) | gateway 4.6%, baseline 0.0%, ratio 3.0%: stable |
                | 4. connections: heap per idle session (KiB; used heap after full GC, 19500 sessions vs none) | 10.8 | | | <= 8 KiB | one run, stability unknown |
                """);
        assertThat(CapacityModel.Measured.from(results)).isEqualTo(new CapacityModel.Measured(13.1, 700_000, 10.8, Double.NaN));
        assertThat(CapacityModel.DeepMeasured.find(results)).as("no scenario 8 rows").isNull();
    }

    @Test
    void deepResumeRowsOverRepeatsParseAsTheirMedians(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.md");
        // As Table writes scenario 8 over 3 repeats: medians, (low-high) ranges, a missing repeat.
        Files.writeString(results, """
                | 8. deep resume: seconds until all answered PENDING_CHECK_COMPLETE or RESYNC_REQUIRED (10000 devices away 25 s, window 10 s, admission 2000/s, 200 events/s to their users; 500 live devices, 500 events/s to theirs) | 31.2 (28.9-35.1) |  |  | (>= 5 s by the admission bound) | gateway 19.9%: **unstable** |
                | 8. deep resume: resumed / resync required / no answer | 10000 / 0 / 0 |  |  | all / 0 / 0 | gateway 0.0% / 0.0% / 0.0%: stable |
                | 8. deep resume: lost (live and resumed devices) / duplicated / missed by the devices told to resync (17500 events published to the away devices' users while away) | 0 / 0 / 0 |  |  | 0 / 0 / 0 | gateway 0.0% / 0.0% / 0.0%: stable |
                | 8. deep resume: records read from the log per resumed device (in all), passes over the log (increase of `sync_gateway_log_replay_records_read_total`, `sync_gateway_log_replay_passes_total` during the storm) | 350.5 (300-410.25) (3505000 (3000000-4102500)), 900 (850-1000) [1 n/a] passes |  |  |  | gateway 31.4% / 31.4% / 16.7%: **unstable** |
                | 8. deep resume: pod CPU during the storm, seconds (cores busy), vs the cores busy without it; ratio of cores busy | 40.5 (39-42) s (1.30 (1.25-1.40) cores) | 0.35 (0.30-0.36) cores | 3.71 (3.47-4.67) |  | gateway 7.4% / 11.5%, baseline 17.1%, ratio 32.3%: **unstable** |
                """);
        CapacityModel.DeepMeasured deep = CapacityModel.DeepMeasured.find(results);
        assertThat(deep).isEqualTo(new CapacityModel.DeepMeasured(10_000, 350.5, 3_505_000, 900, 40.5, 1.30, 0.35,
                25, 10, 700));
        // 15 s of 700 events/s over 6 partitions: 1,750 records in a device's own partitions.
        assertThat(deep.ownStretch()).isEqualTo(1750);
        assertThat(deep.sharing()).isCloseTo(0.2003, Offset.offset(0.0001));
        // (40.5 s - 0.35 cores x 40.5 s / 1.30 cores) over 3,505,000 records.
        assertThat(deep.cpuPerLogRecordMicros()).isCloseTo(8.44, Offset.offset(0.01));
    }

    @Test
    void deepResumeRowsWithoutTheLogFiguresAreRefused(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.md");
        Files.writeString(results, Files.readString(FIXTURE).replace("2378.2 (475635), 272 passes", "n/a (n/a), n/a passes"));
        assertThatThrownBy(() -> CapacityModel.DeepMeasured.find(results)).hasMessageContaining("records read from the log");
    }

    @Test
    void theFixturesFiguresGiveTheStatedCpuPerRecordAndSharing() throws Exception {
        CapacityModel.DeepMeasured deep = CapacityModel.DeepMeasured.find(FIXTURE);
        // 7.45 s x (1 - 0.31 / 0.60) = 3.60 s over 475,635 records.
        assertThat(deep.cpuPerLogRecordMicros()).isCloseTo(7.57, Offset.offset(0.01));
        assertThat(deep.sharing()).isCloseTo(2378.2 / 1750, Offset.offset(1e-9));
    }

    @Test
    void withoutSharingAStormsReadsGrowWithTheDevicesPerPodTimesTheStream() throws Exception {
        CapacityModel.Measured measured = new CapacityModel.Measured(13.2, 788_000, 10.8, 27.7);
        CapacityModel.DeepMeasured deep = CapacityModel.DeepMeasured.find(FIXTURE);
        String report = new CapacityModel(measured, deep, CapacityModel.Assumed.from(new Flags(new String[0])))
                .report("x", "y");
        // 1M devices: 5,556 records/s; away 600 s less the ~18 s the window caches; 6 partitions; 5,000 back per pod.
        double stream = 1_000_000 / 60.0 / 3;
        double cached = (64 << 20) / (stream * (600 + ReplayWindow.ENTRY_BYTES));
        double expected = 5_000 * stream * (600 - cached) / 6;
        assertThat(millions(report, "1,000,000 devices, without sharing")).isCloseTo(expected / 1e6, Offset.offset(0.05));
        assertThat(millions(report, "1,000,000 devices, one shared pass per log reader")).isCloseTo(2 * stream * (600 - cached) / 1e6,
                Offset.offset(0.05));
        // Ten times the devices: the same devices per pod, ten times the stream, a tenth of it in the window.
        assertThat(millions(report, "10,000,000 devices, without sharing") / millions(report, "1,000,000 devices, without sharing"))
                .isCloseTo(10 * (600 - cached / 10) / (600 - cached), Percentage.withPercentage(0.1));
    }

    @Test
    void everyPodReadingEverythingMakesBrokerEgressGrowWithTheSquareOfTheDevices() throws Exception {
        CapacityModel.Measured measured = new CapacityModel.Measured(13.2, 788_000, 10.8, 27.7);
        String small = new CapacityModel(measured, CapacityModel.Assumed.from(new Flags(new String[] {"--devices", "1000000"})))
                .report("x", "y");
        String large = new CapacityModel(measured, CapacityModel.Assumed.from(new Flags(new String[] {"--devices", "10000000"})))
                .report("x", "y");
        assertThat(egress(large) / egress(small)).isCloseTo(100, Percentage.withPercentage(1));
        assertThat(small).contains("No deep-resume figures (scenario 8) in `y`");
    }

    /** The doc's generated block. */
    private static String generatedBlock() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/capacity.md"));
        Matcher block = Pattern.compile("<!-- capacity:begin -->\n(.*)<!-- capacity:end -->", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).as("docs/capacity.md has the generated block").isTrue();
        return block.group(1);
    }

    /** The model's output for the files the block names, with these flags. */
    private static String expected(String block, String[] flags) throws Exception {
        Matcher source = Pattern.compile("Per-pod figures from `([^`]+)`").matcher(block);
        assertThat(source.find()).isTrue();
        Matcher deepSource = Pattern.compile("(?:Resume-storm figures from|No deep-resume figures \\(scenario 8\\) in) `([^`]+)`")
                .matcher(block);
        assertThat(deepSource.find()).as("the block names the deep-resume figures' file").isTrue();
        Path results = ROOT.resolve("bench/results").resolve(source.group(1));
        CapacityModel model = new CapacityModel(CapacityModel.Measured.from(results),
                CapacityModel.DeepMeasured.find(ROOT.resolve(deepSource.group(1))), CapacityModel.Assumed.from(new Flags(flags)));
        return model.report(source.group(1), deepSource.group(1));
    }

    private static double millions(String report, String label) {
        Matcher row = Pattern.compile("\\| " + Pattern.quote(label) + "[^|]* \\| [0-9,]+ \\| ([0-9.,]+) \\|").matcher(report);
        assertThat(row.find()).as(label).isTrue();
        return Double.parseDouble(row.group(1).replace(",", ""));
    }

    private static double egress(String report) {
        Matcher row = Pattern.compile("\\| broker egress \\(pods x ingress\\), Gbit/s \\| [0-9.,]+ \\| ([0-9.,]+) \\|").matcher(report);
        assertThat(row.find()).isTrue();
        return Double.parseDouble(row.group(1).replace(",", ""));
    }
}
