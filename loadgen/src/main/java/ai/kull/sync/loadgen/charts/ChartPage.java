package ai.kull.sync.loadgen.charts;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Charts for a person to look at: one self-contained HTML page (uPlot inlined, no network needed) and one PNG per
 * chart for a README. The data-in API of the load-test report and the benchmark: build one with {@link #add}, or
 * write the same shape as JSON and render it with {@code loadgen charts --page page.json --out DIR}.
 *
 * @param notes lines shown under the title (what ran, where, when)
 */
public record ChartPage(String title, List<String> notes, List<Chart> charts) {

    /** The PNGs' size: wide enough for a README column, small enough to commit. */
    public static final int PNG_WIDTH = 900;
    public static final int PNG_HEIGHT = 420;

    private static final ObjectMapper JSON = new ObjectMapper();

    public ChartPage {
        notes = notes == null ? List.of() : List.copyOf(notes);
        charts = charts == null ? List.of() : List.copyOf(charts);
    }

    public ChartPage(String title) {
        this(title, List.of(), List.of());
    }

    public ChartPage note(String line) {
        List<String> more = new ArrayList<>(notes);
        more.add(line);
        return new ChartPage(title, more, charts);
    }

    public ChartPage add(Chart chart) {
        List<Chart> more = new ArrayList<>(charts);
        more.add(chart);
        return new ChartPage(title, notes, more);
    }

    /**
     * Writes {@code <dir>/<name>.html} and {@code <dir>/<name>-<chart id>.png} for each chart; returns the files
     * written, the page first.
     */
    public List<Path> write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path html = dir.resolve(name + ".html");
        Files.writeString(html, HtmlCharts.page(this));
        written.add(html);
        for (Chart chart : charts) {
            Path png = dir.resolve(name + "-" + chart.id() + ".png");
            PngCharts.write(chart, png, PNG_WIDTH, PNG_HEIGHT);
            written.add(png);
        }
        return written;
    }

    public static ChartPage read(Path json) throws IOException {
        return JSON.readValue(json.toFile(), ChartPage.class);
    }

    public String toJson() throws IOException {
        return JSON.writeValueAsString(this);
    }
}
