package ai.kull.sync.loadgen.charts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class ChartPageTest {

    /** The three kinds, as the load report and the benchmark's peer comparison fill them. */
    static ChartPage sample() {
        double[] seconds = {1, 2, 3, 4};
        return new ChartPage("Sample run").note("2 workers, 400 sessions")
                .add(Chart.line("throughput", "Deliveries per second", "seconds into the run", "per second",
                        List.of(new Chart.Series("delivered/s", seconds, new double[]{980, 1010, 995, 1003}))))
                .add(Chart.percentiles("distribution", "Latency distribution", "milliseconds",
                        List.of(new Chart.Series("gateway", new double[]{0, 50, 90, 99, 99.9}, new double[]{1, 2, 3, 8, 17.25}))))
                .add(Chart.bars("peer", "CPU per delivery", "microseconds", List.of("2,000 sessions", "saturation"),
                        List.of(Chart.Series.bars("gateway", 21.7, 19.5), Chart.Series.bars("Socket.IO", 27.0, 31.25))));
    }

    @Test
    void thePageInlinesUplotAndCarriesTheData(@TempDir Path dir) throws Exception {
        List<Path> written = sample().write(dir, "sample");

        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly("sample.html",
                "sample-throughput.png", "sample-distribution.png", "sample-peer.png");
        String html = Files.readString(dir.resolve("sample.html"));
        assertThat(html).contains(uplot("dist/uPlot.iife.min.js")).contains(uplot("dist/uPlot.min.css"));
        assertThat(html).doesNotContain("<script src=").doesNotContain("<link");
        assertThat(html).contains("\"Socket.IO\"", "31.25", "17.25", "\"saturation\"", "2 workers, 400 sessions");
    }

    @Test
    void everyPngIsAnImageOfTheReadmeSize(@TempDir Path dir) throws Exception {
        List<Path> written = sample().write(dir, "sample");
        for (Path png : written.subList(1, written.size())) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as(png.toString()).isNotNull();
            assertThat(image.getWidth()).isEqualTo(ChartPage.PNG_WIDTH);
            assertThat(image.getHeight()).isEqualTo(ChartPage.PNG_HEIGHT);
            assertThat(distinctColours(image)).as("drawn, not blank: " + png).isGreaterThan(10);
        }
    }

    @Test
    void aPageWrittenAsJsonDrawsTheSame(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("page.json"), sample().toJson());
        ChartPage read = ChartPage.read(json);
        assertThat(read.toJson()).isEqualTo(sample().toJson());
        assertThat(HtmlCharts.page(read)).isEqualTo(HtmlCharts.page(sample()));
    }

    /** Chromium runs the page's script: one uPlot chart per chart, each with its series in the legend. */
    @Test
    void chromiumDrawsEveryChart(@TempDir Path dir) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeThat(Files.isExecutable(chromium)).as("Chromium at /usr/bin/chromium").isTrue();
        sample().write(dir, "sample");
        Process browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.resolve("profile"), "--virtual-time-budget=5000", "--dump-dom",
                dir.resolve("sample.html").toUri().toString())
                .redirectError(dir.resolve("chromium.log").toFile()).start();
        String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(browser.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dom.split("class=\"uplot", -1)).as(dom).hasSize(4);
        assertThat(dom.split("<canvas", -1)).hasSize(4);
        // Axes are drawn on the canvas; titles and legends are elements.
        assertThat(dom).contains("delivered/s", "Socket.IO", "Latency distribution", "CPU per delivery");
    }

    private static String uplot(String path) throws Exception {
        try (InputStream in = ChartPageTest.class.getClassLoader()
                .getResourceAsStream("META-INF/resources/webjars/uplot/1.6.30/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 3) {
            for (int y = 0; y < image.getHeight(); y += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
