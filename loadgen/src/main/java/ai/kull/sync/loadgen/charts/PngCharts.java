package ai.kull.sync.loadgen.charts;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;

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
        XYSeriesCollection data = new XYSeriesCollection();
        for (Chart.Series series : chart.series()) {
            XYSeries line = new XYSeries(series.name(), false, true);
            for (int i = 0; i < series.y().length; i++) {
                line.add(tail ? toTail(series.x()[i]) : series.x()[i], series.y()[i]);
            }
            data.addSeries(line);
        }
        JFreeChart drawn = ChartFactory.createXYLineChart(chart.title(), chart.xLabel(), chart.yLabel(), data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = drawn.getXYPlot();
        style(plot);
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
        BarRenderer renderer = (BarRenderer) drawn.getCategoryPlot().getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < chart.series().size(); i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
        }
        return drawn;
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
