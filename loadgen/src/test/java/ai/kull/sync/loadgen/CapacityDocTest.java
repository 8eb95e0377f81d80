package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/capacity.md's tables are what {@code Main capacity} computes from the results file the doc names. */
class CapacityDocTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theDocumentsTablesAreTheModelsOutputForTheResultsFileItNames() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/capacity.md"));
        Matcher block = Pattern.compile("<!-- capacity:begin -->\n(.*)<!-- capacity:end -->", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).as("docs/capacity.md has the generated block").isTrue();
        Matcher source = Pattern.compile("Per-pod figures from `([^`]+)`").matcher(block.group(1));
        assertThat(source.find()).isTrue();
        Path results = ROOT.resolve("bench/results").resolve(source.group(1));

        CapacityModel model = new CapacityModel(CapacityModel.Measured.from(results),
                CapacityModel.Assumed.from(new Flags(new String[0])));

        assertThat(block.group(1)).isEqualTo(model.report(source.group(1)));
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
    }

    @Test
    void everyPodReadingEverythingMakesBrokerEgressGrowWithTheSquareOfTheDevices() throws Exception {
        CapacityModel.Measured measured = new CapacityModel.Measured(13.2, 788_000, 10.8, 27.7);
        String small = new CapacityModel(measured, CapacityModel.Assumed.from(new Flags(new String[] {"--devices", "1000000"})))
                .report("x");
        String large = new CapacityModel(measured, CapacityModel.Assumed.from(new Flags(new String[] {"--devices", "10000000"})))
                .report("x");
        assertThat(egress(large) / egress(small)).isCloseTo(100, org.assertj.core.data.Percentage.withPercentage(1));
    }

    private static double egress(String report) {
        Matcher row = Pattern.compile("\\| broker egress \\(pods x ingress\\), Gbit/s \\| [0-9.,]+ \\| ([0-9.,]+) \\|").matcher(report);
        assertThat(row.find()).isTrue();
        return Double.parseDouble(row.group(1).replace(",", ""));
    }
}
