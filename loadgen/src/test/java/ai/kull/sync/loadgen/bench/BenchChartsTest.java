package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Processes.Memory;
import ai.kull.sync.loadgen.charts.Chart;
import ai.kull.sync.loadgen.charts.ChartPage;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The scenarios' charts over the repeats, and the page BenchMain writes beside the results file, from constructed results. */
class BenchChartsTest {

    private final Settings settings = new Settings(Map.of(), new String[0]);
    private final Processes processes = new Processes(Path.of("."), settings, Path.of("target/test-bench"));

    private Repeat repeat(int number, Table table, BenchCharts charts) {
        return new Repeat(number, settings, processes, table, new ArrayList<>(), charts);
    }

    private static Chart chart(ChartPage page, String id) {
        return page.charts().stream().filter(chart -> chart.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void barsAreTheMediansOverTheRepeatsWithTheLowestAndHighestAsTheirRange() {
        BenchCharts charts = new BenchCharts();
        double[][] repeats = {{20, 12}, {26, 11}, {18, 13}};
        for (double[] gatewayAndBare : repeats) {
            charts.bars("fanout-cpu", "CPU per delivery", "µs").bar("CPU", "gateway", gatewayAndBare[0])
                    .bar("CPU", "bare push", gatewayAndBare[1]);
        }
        // A peer scenario adds its own series to the same chart, by its id.
        charts.bars("fanout-cpu", "ignored: the first title stays", "µs").bar("CPU", "Socket.IO", 27);

        Chart cpu = chart(charts.page("run", List.of()), "fanout-cpu");
        assertThat(cpu.kind()).isEqualTo(Chart.Kind.BARS);
        assertThat(cpu.title()).isEqualTo("CPU per delivery");
        assertThat(cpu.categories()).containsExactly("CPU");
        assertThat(cpu.series()).extracting(Chart.Series::name).containsExactly("gateway", "bare push", "Socket.IO");
        Chart.Series gateway = cpu.series().get(0);
        assertThat(gateway.y()).containsExactly(20);
        assertThat(gateway.low()).containsExactly(18);
        assertThat(gateway.high()).containsExactly(26);
        assertThat(cpu.series().get(1).y()).containsExactly(12);
        // Measured once: no range to draw.
        assertThat(cpu.series().get(2).y()).containsExactly(27);
        assertThat(cpu.series().get(2).low()).isNull();
    }

    @Test
    void aValueNotMeasuredIsLeftOutOfTheMedianAndAMissingBarIsZero() {
        BenchCharts charts = new BenchCharts();
        charts.bars("consume", "records/s", "records/s").bar("read", "gateway", 1000).bar("read", "gateway", Double.NaN)
                .bar("read", "gateway", 3000).bar("other", "bare", 5);
        Chart consume = chart(charts.page("run", List.of()), "consume");
        assertThat(consume.categories()).containsExactly("read", "other");
        assertThat(consume.series().get(0).y()).containsExactly(2000, 0);
        assertThat(consume.series().get(0).low()).containsExactly(1000, 0);
        assertThat(consume.series().get(1).y()).containsExactly(0, 5);
    }

    @Test
    void linesAreMergedPointByPointInXOrderAndCutToTheShortestRepeat() {
        BenchCharts charts = new BenchCharts();
        BenchCharts.Lines memory = charts.lines("conn-memory", "memory", "sessions", "MiB");
        memory.line("RSS", new double[] {0, 200, 400}, new double[] {300, 302, 305});
        memory.line("RSS", new double[] {400, 0, 198}, new double[] {309, 301, 303}); // any order
        memory.line("RSS", new double[] {0, 202, 400, 600}, new double[] {299, 304, 304, 900});

        Chart.Series rss = chart(charts.page("run", List.of()), "conn-memory").series().get(0);
        assertThat(rss.x()).containsExactly(0, 200, 400);
        assertThat(rss.y()).containsExactly(300, 303, 305);
        assertThat(rss.low()).containsExactly(299, 302, 304);
        assertThat(rss.high()).containsExactly(301, 304, 309);
    }

    @Test
    void connectionsDrawsMemoryPerSessionBesideItsGoalsAndMemoryAgainstSessions() {
        BenchCharts charts = new BenchCharts();
        double mib = 1 << 20;
        for (int number = 1; number <= 2; number++) {
            Memory before = new Memory(100 * mib, 300 * mib, 0);
            // Repeat 1: 10 KiB heap and 16 KiB RSS per session; repeat 2: 8 and 12.
            int heapKiB = number == 1 ? 10 : 8;
            int rssKiB = number == 1 ? 16 : 12;
            Memory[] with = {memoryWith(before, 512, heapKiB, rssKiB), memoryWith(before, 1024, heapKiB, rssKiB)};
            Connections.report(repeat(number, new Table(), charts), before, new double[] {512, 1024}, with,
                    new double[] {1, 2});
        }
        ChartPage page = charts.page("run", List.of());

        Chart perSession = chart(page, "conn-per-session");
        assertThat(perSession.categories()).containsExactly("heap", "RSS");
        assertThat(perSession.series()).extracting(Chart.Series::name).containsExactly("gateway", "goal");
        assertThat(perSession.series().get(0).y()).containsExactly(9, 14);
        assertThat(perSession.series().get(0).low()).containsExactly(8, 12);
        assertThat(perSession.series().get(0).high()).containsExactly(10, 16);
        assertThat(perSession.series().get(1).y()).containsExactly(Connections.HEAP_GOAL_KIB, Connections.RSS_GOAL_KIB);
        assertThat(perSession.series().get(1).low()).as("the same every repeat: no whisker").isNull();

        Chart memory = chart(page, "conn-memory");
        assertThat(memory.kind()).isEqualTo(Chart.Kind.LINE);
        Chart.Series heap = memory.series().get(0);
        assertThat(heap.x()).containsExactly(0, 512, 1024);
        assertThat(heap.y()).containsExactly(100, 104.5, 109); // 100 MiB + 1024 x 9 KiB median
        assertThat(heap.high()).containsExactly(100, 105, 110);
    }

    @Test
    void latencyDrawsTheSearchPerRepeatAndTheDistributionsAtHalfTheSustainableRate() throws Exception {
        BenchCharts charts = new BenchCharts();
        Repeat r = repeat(1, new Table(), charts);
        Latency.chartSearch(r, List.of(new double[] {5000, 3000, 900}, new double[] {4000, 3900, 40}));
        // 1,000 deliveries: 900 within 1 ms, 90 within 5 ms, 10 within 10 ms.
        Histogram own = new Histogram(new double[] {0.001, 0.005, 0.01, Double.POSITIVE_INFINITY},
                new double[] {900, 990, 1000, 1000});
        ObjectMapper json = new ObjectMapper();
        Latency.chartDistribution(r, own, json.readTree("{}"),
                json.readTree("{\"latencyMs\": {\"p50\": 1.5, \"p95\": 3, \"p99\": 6}}"));
        ChartPage page = charts.page("run", List.of());

        Chart rate = chart(page, "latency-search-rate");
        assertThat(rate.series()).extracting(Chart.Series::name).containsExactly("repeat 1");
        assertThat(rate.series().get(0).x()).containsExactly(4000, 5000);
        assertThat(rate.series().get(0).y()).containsExactly(3900, 3000);
        assertThat(chart(page, "latency-search-p99").series().get(0).y()).containsExactly(40, 900);

        Chart distribution = chart(page, "latency-distribution");
        assertThat(distribution.kind()).isEqualTo(Chart.Kind.PERCENTILES);
        assertThat(distribution.series()).extracting(Chart.Series::name)
                .containsExactly("gateway's own (its histogram)", "bare consumer, end to end");
        Chart.Series gateway = distribution.series().get(0);
        // Up to 99.9 (1,000 deliveries), as Prometheus interpolates within a bucket.
        assertThat(gateway.x()).containsExactly(50, 75, 90, 95, 99, 99.9);
        assertThat(gateway.y()[0]).isEqualTo(Repeat.ms(own.quantile(0.5)));
        assertThat(gateway.y()[4]).isEqualTo(5);
        assertThat(distribution.series().get(1).y()).containsExactly(1.5, 3, 6);

        // A bare consumer that measured nothing reports zeros: no line at 0 ms for it.
        BenchCharts second = new BenchCharts();
        Latency.chartDistribution(repeat(2, new Table(), second), own, json.readTree("{}"),
                json.readTree("{\"records\": 1, \"latencyMs\": {\"p50\": 0, \"p95\": 0, \"p99\": 0}}"));
        assertThat(chart(second.page("run", List.of()), "latency-distribution").series())
                .extracting(Chart.Series::name).containsExactly("gateway's own (its histogram)");
    }

    @Test
    void benchMainWritesThePageAndPngsBesideTheResultsAndLinksThem(@TempDir Path dir) throws Exception {
        Table table = new Table();
        BenchCharts charts = new BenchCharts();
        for (int number = 1; number <= 2; number++) {
            Repeat r = repeat(number, table, charts);
            r.table.add("fanout-cpu", Table.Fig.text("1. fan-out: server CPU per delivery"), Table.Fig.of("{}", 20 + number),
                    Table.Fig.of("{}", 12), Table.Fig.of("{2}", 12.0 / (20 + number)), ">= 0.95");
            r.charts.bars("fanout-cpu", "1. fan-out: server CPU per delivery", "microseconds")
                    .bar("CPU per delivery", "gateway", 20 + number).bar("CPU per delivery", "bare push", 12);
        }
        Path results = dir.resolve("results/2026-12-07.md");

        new BenchMain.ResultsFile(BenchMain.root(), settings, 2).write(results, table, List.of(), List.of("java ..."),
                Scenarios.select(List.of("fanout")), charts);

        List<String> lines = Files.readAllLines(results);
        assertThat(lines).anyMatch(line -> line.startsWith(
                "| 1. fan-out: server CPU per delivery | 21.5 (21-22) | 12 | 0.56 (0.55-0.57) | >= 0.95 | "));
        assertThat(lines).contains("Charts of these figures: [2026-12-07.html](2026-12-07.html) (medians with ranges; "
                + "opens offline), PNGs: [fanout-cpu](2026-12-07-fanout-cpu.png).");
        String html = Files.readString(dir.resolve("results/2026-12-07.html"));
        assertThat(html).contains("1. fan-out: server CPU per delivery", "\"bare push\"", "\"y\":[21.5]",
                "\"low\":[21.0]", "\"high\":[22.0]", "2026-12-07.md");
        assertThat(ImageIO.read(dir.resolve("results/2026-12-07-fanout-cpu.png").toFile()).getWidth())
                .isEqualTo(ChartPage.PNG_WIDTH);
    }

    @Test
    void withoutChartsNoPageAndNoLine(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("quick.md");
        new BenchMain.ResultsFile(BenchMain.root(), settings, 1).write(results, new Table(), List.of(), List.of(),
                Scenarios.select(List.of("storm")), new BenchCharts());
        assertThat(Files.readString(results)).doesNotContain("Charts of these figures");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(results);
        }
    }

    private static Memory memoryWith(Memory before, int sessions, int heapKiB, int rssKiB) {
        return new Memory(before.heap() + sessions * heapKiB * 1024.0, before.rss() + sessions * rssKiB * 1024.0, 0);
    }
}
