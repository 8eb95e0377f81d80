package ai.kull.sync.loadgen.charts;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Arrays;

/** A {@link Chart} as a PNG, drawn by JFreeChart without a display (headless AWT). */
final class PngCharts {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private PngCharts() {
    }

    static void write(Chart chart, Path png, int width, int height) throws IOException {
        System.setProperty("java.awt.headless", "true");
        JFreeChart drawn = switch (chart.kind()) {
            case LINE, PERCENTILES -> lines(chart);
            case BARS -> bars(chart);
        };
        drawn.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), drawn, width, height);
    }

    private static JFreeChart lines(Chart chart) {
        boolean tail = chart.kind() == Chart.Kind.PERCENTILES;
        boolean ranges = chart.series().stream().anyMatch(series -> series.low() != null);
        XYSeriesCollection data = new XYSeriesCollection();
        YIntervalSeriesCollection withRanges = new YIntervalSeriesCollection();
        for (Chart.Series series : chart.series()) {
            XYSeries line = new XYSeries(series.name(), false, true);
            YIntervalSeries withRange = new YIntervalSeries(series.name(), false, true);
            for (int i = 0; i < series.y().length; i++) {
                double x = tail ? toTail(series.x()[i]) : series.x()[i];
                line.add(x, series.y()[i]);
                withRange.add(x, series.y()[i], series.low() == null ? series.y()[i] : series.low()[i],
                        series.high() == null ? series.y()[i] : series.high()[i]);
            }
            data.addSeries(line);
            withRanges.addSeries(withRange);
        }
        JFreeChart drawn = ChartFactory.createXYLineChart(chart.title(), chart.xLabel(), chart.yLabel(), data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = drawn.getXYPlot();
        style(plot);
        if (ranges) {
            // The same lines, each point with a whisker from its low to its high value.
            XYErrorRenderer whiskers = new XYErrorRenderer();
            whiskers.setDrawXError(false);
            whiskers.setDefaultShapesVisible(false);
            whiskers.setDefaultLinesVisible(true);
            whiskers.setCapLength(6);
            plot.setDataset(withRanges);
            plot.setRenderer(whiskers);
        }
        for (int i = 0; i < chart.series().size(); i++) {
            plot.getRenderer().setSeriesPaint(i, COLORS[i % COLORS.length]);
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        if (tail) {
            LogAxis axis = new LogAxis(chart.xLabel());
            axis.setBase(10);
            axis.setSmallestValue(1);
            axis.setNumberFormatOverride(new PercentileFormat());
            // One tick per nine (90%, 99%, 99.9%): the ticks between mean nothing on this scale.
            axis.setAutoTickUnitSelection(false);
            axis.setTickUnit(new NumberTickUnit(1));
            plot.setDomainAxis(axis);
        }
        return drawn;
    }

    private static JFreeChart bars(Chart chart) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Chart.Series series : chart.series()) {
            for (int c = 0; c < chart.categories().size(); c++) {
                data.addValue(series.y()[c], series.name(), chart.categories().get(c));
            }
        }
        JFreeChart drawn = ChartFactory.createBarChart(chart.title(), null, chart.yLabel(), data,
                PlotOrientation.VERTICAL, true, false, false);
        drawn.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        drawn.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = new RangeBarRenderer(chart);
        drawn.getCategoryPlot().setRenderer(renderer);
        double highest = chart.series().stream().filter(series -> series.high() != null)
                .flatMapToDouble(series -> Arrays.stream(series.high())).max().orElse(0);
        if (highest > 0 && highest * 1.05 > drawn.getCategoryPlot().getRangeAxis().getUpperBound()) {
            drawn.getCategoryPlot().getRangeAxis().setUpperBound(highest * 1.05);
        }
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < chart.series().size(); i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
        }
        return drawn;
    }

    /** Bars with a whisker from each bar's low to its high value, when its series has them. */
    private static final class RangeBarRenderer extends BarRenderer {
        private final transient Chart chart;

        RangeBarRenderer(Chart chart) {
            this.chart = chart;
        }

        @Override
        public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
                             CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset dataset, int row,
                             int column, int pass) {
            super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
            Chart.Series series = chart.series().get(row);
            if (series.low() == null) {
                return;
            }
            double x = calculateBarW0(plot, plot.getOrientation(), dataArea, domainAxis, state, row, column)
                    + state.getBarWidth() / 2;
            double low = rangeAxis.valueToJava2D(series.low()[column], dataArea, plot.getRangeAxisEdge());
            double high = rangeAxis.valueToJava2D(series.high()[column], dataArea, plot.getRangeAxisEdge());
            double cap = Math.min(6, state.getBarWidth() / 4);
            g2.setPaint(Color.BLACK);
            g2.setStroke(new BasicStroke(1.5f));
            g2.draw(new Line2D.Double(x, low, x, high));
            g2.draw(new Line2D.Double(x - cap, low, x + cap, low));
            g2.draw(new Line2D.Double(x - cap, high, x + cap, high));
        }
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    /** The same tail-spreading scale as the HTML page: 90, 99 and 99.9 equally far apart. */
    static double toTail(double percentile) {
        return 1 / (1 - percentile / 100);
    }

    /** Labels the log axis's 1, 10, 100, 1000 as 0%, 90%, 99%, 99.9%. */
    private static final class PercentileFormat extends NumberFormat {
        private final DecimalFormat digits = new DecimalFormat("0.####");

        @Override
        public StringBuffer format(double value, StringBuffer to, FieldPosition position) {
            return to.append(digits.format(100 * (1 - 1 / value))).append('%');
        }

        @Override
        public StringBuffer format(long value, StringBuffer to, FieldPosition position) {
            return format((double) value, to, position);
        }

        @Override
        public Number parse(String source, ParsePosition position) {
            throw new UnsupportedOperationException("labels only");
        }
    }
}
