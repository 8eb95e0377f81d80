package ai.kull.sync.loadgen.charts;

import java.util.List;

/**
 * One chart of a {@link ChartPage}: what it shows and its data, with no drawing in it, so the same chart becomes
 * an interactive one in the HTML page and a PNG for the README.
 *
 * @param id         names the PNG ({@code <page>-<id>.png}); letters, digits and dashes
 * @param kind       how the series are drawn
 * @param xLabel     the horizontal axis (unused for {@link Kind#BARS})
 * @param yLabel     the vertical axis, with its unit
 * @param categories the bars' labels ({@link Kind#BARS} only; each series has one value per category)
 */
public record Chart(String id, String title, Kind kind, String xLabel, String yLabel, List<Series> series,
                    List<String> categories) {

    public enum Kind {
        /** Lines over a numeric x (seconds into the run, sessions). */
        LINE,
        /** A latency distribution: x is a percentile (0-100), drawn on a scale that spreads the tail (90, 99, 99.9). */
        PERCENTILES,
        /** Bars grouped by category, one bar per series in each (e.g. a figure of ours beside a peer's). */
        BARS
    }

    /** One named line or set of bars; {@code x} is unused for bars. */
    public record Series(String name, double[] x, double[] y) {

        public Series {
            if (x != null && x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values for " + y.length + " y values");
            }
        }

        /** Bars: one value per category. */
        public static Series bars(String name, double... values) {
            return new Series(name, null, values);
        }
    }

    public Chart {
        if (id == null || !id.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("chart id must be lower-case letters, digits and dashes: " + id);
        }
        series = List.copyOf(series);
        categories = categories == null ? List.of() : List.copyOf(categories);
        for (Series one : series) {
            if (kind == Kind.BARS ? one.y().length != categories.size() : one.x() == null) {
                throw new IllegalArgumentException("chart " + id + ", series " + one.name() + ": "
                        + (kind == Kind.BARS ? "one value per category" : "x values") + " expected");
            }
        }
    }

    public static Chart line(String id, String title, String xLabel, String yLabel, List<Series> series) {
        return new Chart(id, title, Kind.LINE, xLabel, yLabel, series, List.of());
    }

    /** {@code series}' x are percentiles (0 to below 100), y the latency at each. */
    public static Chart percentiles(String id, String title, String yLabel, List<Series> series) {
        return new Chart(id, title, Kind.PERCENTILES, "percentile", yLabel, series, List.of());
    }

    public static Chart bars(String id, String title, String yLabel, List<String> categories, List<Series> series) {
        return new Chart(id, title, Kind.BARS, "", yLabel, series, categories);
    }
}
