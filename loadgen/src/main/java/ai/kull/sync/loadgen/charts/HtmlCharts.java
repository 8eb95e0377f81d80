package ai.kull.sync.loadgen.charts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A {@link ChartPage} as one HTML file drawn by uPlot (a small, maintained canvas charting library), whose
 * minified script and stylesheet come from its WebJar on the class path and are inlined: the page opens from a
 * file, an artifact store or an air-gapped machine, with no CDN.
 */
final class HtmlCharts {

    private static final String WEBJAR = "META-INF/resources/webjars/uplot/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HtmlCharts() {
    }

    static String page(ChartPage page) {
        String version = uplotVersion();
        String data;
        try {
            // "</" would end the script element early; in JSON it may be written "<\/".
            data = JSON.writeValueAsString(page).replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the page's data", e);
        }
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>%s</title>
                <!-- uPlot %s (MIT), inlined from its WebJar -->
                <style>%s</style>
                <style>
                  body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
                  .chart { margin: 24px 0; }
                  .note { color: #555; margin: 2px 0; }
                </style>
                <script>%s</script>
                </head>
                <body>
                <h1 id="title"></h1>
                <div id="notes"></div>
                <div id="charts"></div>
                <script type="application/json" id="page-data">%s</script>
                <script>%s</script>
                </body>
                </html>
                """.formatted(escape(page.title()), version, resource(version, "dist/uPlot.min.css"),
                resource(version, "dist/uPlot.iife.min.js"), data, DRAW);
    }

    /** Draws every chart of the page's data with uPlot; the same three kinds as {@link PngCharts}. */
    private static final String DRAW = """
            const page = JSON.parse(document.getElementById('page-data').textContent);
            document.title = page.title;
            document.getElementById('title').textContent = page.title;
            for (const line of page.notes) {
              const p = document.createElement('p'); p.className = 'note'; p.textContent = line;
              document.getElementById('notes').appendChild(p);
            }
            const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
            const width = Math.min(1000, window.innerWidth - 48);
            // Percentiles on a scale where 90, 99 and 99.9 are equally far apart: x = 1 / (1 - p/100).
            const toTail = p => 1 / (1 - p / 100);
            const fromTail = v => +(100 * (1 - 1 / v)).toFixed(4);
            for (const chart of page.charts) {
              const div = document.createElement('div');
              div.className = 'chart'; div.id = 'chart-' + chart.id;
              document.getElementById('charts').appendChild(div);
              const series = [{label: chart.xLabel}], tables = [];
              let scales = {x: {time: false}}, xAxis = {label: chart.xLabel};
              chart.series.forEach((s, i) => {
                const stroke = colors[i % colors.length];
                if (chart.kind === 'BARS') {
                  // Each series' bars sit side by side within a category: its own x, one slot of 0.8 wide.
                  const slot = 0.8 / chart.series.length;
                  tables.push([s.y.map((_, c) => c - 0.4 + slot * (i + 0.5)), s.y]);
                  series.push({label: s.name, stroke, fill: stroke + 'cc', width: 0, points: {show: false},
                               paths: uPlot.paths.bars({size: [slot * 0.9, Infinity], align: 0})});
                } else {
                  const xs = chart.kind === 'PERCENTILES' ? s.x.map(toTail) : s.x;
                  tables.push([xs, s.y]);
                  series.push({label: s.name, stroke, width: 2, spanGaps: true,
                               value: (u, v) => v == null ? '-' : +v.toFixed(2)});
                }
              });
              if (chart.kind === 'BARS') {
                const n = chart.categories.length;
                scales = {x: {time: false, range: [-0.5, n - 0.5]},
                          y: {range: (u, min, max) => [0, max * 1.1]}};
                xAxis = {splits: () => chart.categories.map((_, c) => c), values: () => chart.categories};
                series[0] = {label: ' ', value: (u, v) => v == null ? '' : chart.categories[Math.round(v)] || ''};
              } else if (chart.kind === 'PERCENTILES') {
                // Ticks at 0%, 90%, 99%, 99.9%... only: the log scale's own ticks in between mean nothing here.
                const nines = max => { const t = []; for (let v = 1; v <= max * 1.0001; v *= 10) t.push(v); return t; };
                scales = {x: {time: false, distr: 3, log: 10}};
                xAxis = {label: chart.xLabel, splits: u => nines(u.scales.x.max),
                         values: (u, splits) => splits.map(v => fromTail(v) + '%')};
                series[0] = {label: 'percentile', value: (u, v) => v == null ? '' : fromTail(v) + '%'};
              }
              new uPlot({
                title: chart.title, width, height: 360, scales,
                axes: [xAxis, {label: chart.yLabel, size: 60}],
                series,
              }, uPlot.join(tables), div);
            }
            """;

    private static String uplotVersion() {
        try (InputStream in = HtmlCharts.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("uPlot's WebJar (org.webjars.npm:uplot) is not on the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String version, String path) {
        try (InputStream in = HtmlCharts.class.getClassLoader().getResourceAsStream(WEBJAR + version + "/" + path)) {
            if (in == null) {
                throw new IllegalStateException("uPlot's WebJar holds no " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
