package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.charts.Chart;
import ai.kull.sync.loadgen.charts.ChartPage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's charts, filled by the scenarios as they measure ({@link Repeat#charts}) and drawn once by
 * {@link BenchMain} at the end, next to the results file. Every repeat adds the same bars and lines; each is drawn
 * as the median over the repeats with a whisker from the lowest to the highest, as the table writes them. A
 * scenario adds its own charts, or its series to another's (a peer's bars beside the gateway's), by chart id.
 */
final class BenchCharts {

    /** The charts in the order they were first added to. */
    private final Map<String, Pending> charts = new LinkedHashMap<>();

    /**
     * Grouped bars: {@code bar(category, series, value)} adds this repeat's value; the chart is made on first use
     * (later calls with the same id add to it, whatever title they give).
     */
    Bars bars(String id, String title, String yLabel) {
        return (Bars) charts.computeIfAbsent(id, k -> new Bars(Chart.bars(id, title, yLabel, List.of(), List.of())));
    }

    /** Lines over a numeric x ({@link Chart.Kind#LINE}). */
    Lines lines(String id, String title, String xLabel, String yLabel) {
        return (Lines) charts.computeIfAbsent(id, k -> new Lines(Chart.line(id, title, xLabel, yLabel, List.of())));
    }

    /** A latency distribution: x are percentiles ({@link Chart.Kind#PERCENTILES}). */
    Lines percentiles(String id, String title, String yLabel) {
        return (Lines) charts.computeIfAbsent(id, k -> new Lines(Chart.percentiles(id, title, yLabel, List.of())));
    }

    boolean isEmpty() {
        return charts.isEmpty();
    }

    /** Every chart with its medians and ranges, on a page of this title. */
    ChartPage page(String title, List<String> notes) {
        ChartPage page = new ChartPage(title, notes, List.of());
        for (Pending chart : charts.values()) {
            page = page.add(chart.chart());
        }
        return page;
    }

    private interface Pending {
        Chart chart();
    }

    /** One bar chart's values: per series, per category, one per repeat that measured it. */
    static final class Bars implements Pending {
        private final Chart shape;
        private final Set<String> categories = new LinkedHashSet<>();
        private final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();

        private Bars(Chart shape) {
            this.shape = shape;
        }

        /** This repeat's value of {@code series} in {@code category}; NaN (not measured) is left out. */
        Bars bar(String category, String series, double value) {
            categories.add(category);
            List<Double> samples = values.computeIfAbsent(series, k -> new LinkedHashMap<>())
                    .computeIfAbsent(category, k -> new ArrayList<>());
            if (!Double.isNaN(value)) {
                samples.add(value);
            }
            return this;
        }

        @Override
        public Chart chart() {
            List<String> shown = List.copyOf(categories);
            List<Chart.Series> series = new ArrayList<>();
            values.forEach((name, byCategory) -> {
                int n = shown.size();
                double[] y = new double[n];
                double[] low = new double[n];
                double[] high = new double[n];
                for (int c = 0; c < n; c++) {
                    // A category the series has no value for (never measured, or not in any repeat) is drawn as 0.
                    Table.Summary summary = Table.Summary.of(toArray(byCategory.getOrDefault(shown.get(c), List.of())));
                    boolean known = summary.known().length > 0;
                    y[c] = known ? summary.median() : 0;
                    low[c] = known ? summary.known()[0] : 0;
                    high[c] = known ? summary.known()[summary.known().length - 1] : 0;
                }
                series.add(withRange(name, null, y, low, high));
            });
            return Chart.bars(shape.id(), shape.title(), shape.yLabel(), shown, series);
        }
    }

    /** One line or percentile chart's values: per series, one line per repeat. */
    static final class Lines implements Pending {
        private final Chart shape;
        private final Map<String, List<double[][]>> repeats = new LinkedHashMap<>();

        private Lines(Chart shape) {
            this.shape = shape;
        }

        /**
         * This repeat's line of {@code series}, its points in any order. The repeats' lines are merged point by
         * point in x order (the i-th lowest x of each), so each repeat should give the same points (the same
         * percentiles, the same steps); a longer line is cut to the shortest. A line measured at other x each
         * repeat (a search's steps) is better a series per repeat. Points with a NaN are left out.
         */
        Lines line(String series, double[] x, double[] y) {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + series + ": " + x.length + " x values for " + y.length + " y values");
            }
            double[][] points = new double[2][];
            Integer[] order = new Integer[x.length];
            for (int i = 0; i < x.length; i++) {
                order[i] = i;
            }
            int[] kept = Arrays.stream(order).sorted(Comparator.comparingDouble(i -> x[i]))
                    .filter(i -> !Double.isNaN(x[i]) && !Double.isNaN(y[i])).mapToInt(Integer::intValue).toArray();
            points[0] = Arrays.stream(kept).mapToDouble(i -> x[i]).toArray();
            points[1] = Arrays.stream(kept).mapToDouble(i -> y[i]).toArray();
            repeats.computeIfAbsent(series, k -> new ArrayList<>()).add(points);
            return this;
        }

        @Override
        public Chart chart() {
            List<Chart.Series> series = new ArrayList<>();
            repeats.forEach((name, lines) -> {
                int n = lines.stream().mapToInt(line -> line[0].length).min().orElse(0);
                double[] x = new double[n];
                double[] y = new double[n];
                double[] low = new double[n];
                double[] high = new double[n];
                for (int i = 0; i < n; i++) {
                    int point = i;
                    x[i] = Table.Summary.of(lines.stream().mapToDouble(line -> line[0][point]).toArray()).median();
                    Table.Summary values = Table.Summary.of(lines.stream().mapToDouble(line -> line[1][point]).toArray());
                    y[i] = values.median();
                    low[i] = values.known()[0];
                    high[i] = values.known()[values.known().length - 1];
                }
                series.add(withRange(name, x, y, low, high));
            });
            return new Chart(shape.id(), shape.title(), shape.kind(), shape.xLabel(), shape.yLabel(), series, List.of());
        }
    }

    /** A series with its range, or without one when every value was the same in each repeat (or measured once). */
    private static Chart.Series withRange(String name, double[] x, double[] y, double[] low, double[] high) {
        return Arrays.equals(low, high) ? new Chart.Series(name, x, y) : new Chart.Series(name, x, y, low, high);
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
