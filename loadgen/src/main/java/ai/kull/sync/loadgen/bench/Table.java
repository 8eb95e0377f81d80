package ai.kull.sync.loadgen.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The figures table. Every repeat adds the same rows (by key); a cell is a template whose numbers may differ
 * per repeat ({@code "{} / {}"}: p50 / p99; {@code {2}} prints two decimals, as ratios). Written once, each
 * number as the median over the repeats followed by (min-max) when they differ as printed, and a last column
 * that says whether the row's figures are stable: the spread (max-min)/median of each number of the gateway,
 * baseline and ratio cells, stable when every one is at most {@link #STABLE} (numbers in the label are the
 * run's conditions, not figures, and are left out).
 */
final class Table {

    /** The largest spread, (max-min)/median over the repeats, a stable figure may have. */
    static final double STABLE = 0.10;
    static final String ONE_RUN = "one run, stability unknown";

    /** Text with numbers: {@code {}} prints a number as measured, {@code {2}} with two decimals. */
    record Fig(String template, double... values) {
        static final Fig EMPTY = new Fig("");

        static Fig of(String template, double... values) {
            return new Fig(template, values);
        }

        static Fig text(String text) {
            return new Fig(text.replace("{", "(").replace("}", ")"));
        }
    }

    private record Row(Fig label, Fig gateway, Fig baseline, Fig ratio, String goal) {
    }

    /** One number over the repeats: the known samples sorted, and how many were missing. */
    record Summary(double[] known, int missing) {

        static Summary of(double[] samples) {
            double[] known = Arrays.stream(samples).filter(v -> !Double.isNaN(v)).sorted().toArray();
            return new Summary(known, samples.length - known.length);
        }

        double median() {
            int n = known.length;
            return n % 2 == 1 ? known[n / 2] : (known[n / 2 - 1] + known[n / 2]) / 2;
        }

        /** (max-min)/|median|; NaN with fewer than two known samples, infinite when they differ around a median of 0. */
        double spread() {
            if (known.length < 2) {
                return Double.NaN;
            }
            double range = known[known.length - 1] - known[0];
            return range == 0 ? 0 : range / Math.abs(median());
        }

        /** One sample as is; several as the median and, when they differ, (min-max). */
        String text(boolean twoDecimals) {
            if (known.length == 0) {
                return "n/a";
            }
            String text = number(median(), twoDecimals);
            String low = number(known[0], twoDecimals);
            String high = number(known[known.length - 1], twoDecimals);
            if (!low.equals(high)) {
                // "(-1-0.3)" would read as a subtraction: a range with a negative end is written "(-1 to 0.3)"
                text += " (" + low + (known[0] < 0 ? " to " : "-") + high + ")";
            }
            if (missing > 0) {
                text += " [" + missing + " n/a]";
            }
            return text;
        }
    }

    private final Map<String, List<Row>> rows = new LinkedHashMap<>();

    void add(String key, Fig label, Fig gateway, Fig baseline, Fig ratio, String goal) {
        rows.computeIfAbsent(key, k -> new ArrayList<>()).add(new Row(label, gateway, baseline, ratio, goal));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The markdown rows, {@code | scenario | gateway | baseline | ratio | goal | spread |}. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        rows.forEach((key, repeats) -> {
            Row first = repeats.get(0);
            List<Summary> gateway = summaries(repeats, Row::gateway);
            List<Summary> baseline = summaries(repeats, Row::baseline);
            List<Summary> ratio = summaries(repeats, Row::ratio);
            lines.add("| " + merge(first.label(), summaries(repeats, Row::label)) + " | " + merge(first.gateway(), gateway)
                    + " | " + merge(first.baseline(), baseline) + " | " + merge(first.ratio(), ratio) + " | "
                    + first.goal() + " | " + stability(repeats.size(), gateway, baseline, ratio) + " |");
        });
        return lines;
    }

    /** Each number of a cell over the repeats, in the order of its first repeat's template. */
    private static List<Summary> summaries(List<Row> repeats, Function<Row, Fig> cell) {
        int numbers = placeholders(cell.apply(repeats.get(0)).template());
        List<Summary> summaries = new ArrayList<>();
        for (int value = 0; value < numbers; value++) {
            double[] samples = new double[repeats.size()];
            for (int i = 0; i < samples.length; i++) {
                double[] values = cell.apply(repeats.get(i)).values();
                samples[i] = value < values.length ? values[value] : Double.NaN;
            }
            summaries.add(Summary.of(samples));
        }
        return summaries;
    }

    private static int placeholders(String template) {
        int count = 0;
        for (int open = template.indexOf('{'); open >= 0; open = template.indexOf('{', open + 1)) {
            count++;
        }
        return count;
    }

    /** The template with each placeholder replaced by its number's summary. */
    private static String merge(Fig first, List<Summary> summaries) {
        String template = first.template();
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Summary summary : summaries) {
            int open = template.indexOf('{', at);
            int close = template.indexOf('}', open);
            out.append(template, at, open).append(summary.text(template.substring(open + 1, close).equals("2")));
            at = close + 1;
        }
        return out.append(template, at, template.length()).toString();
    }

    /**
     * The spread column: per cell, each number's spread in the order the cell prints them, then the verdict;
     * {@value #ONE_RUN} for a row measured once, empty for a row without figures.
     */
    static String stability(int repeats, List<Summary> gateway, List<Summary> baseline, List<Summary> ratio) {
        if (gateway.isEmpty() && baseline.isEmpty() && ratio.isEmpty()) {
            return "";
        }
        if (repeats == 1) {
            return ONE_RUN;
        }
        List<String> cells = new ArrayList<>();
        boolean stable = true;
        boolean known = false;
        Map<String, List<Summary>> named = new LinkedHashMap<>();
        named.put("gateway", gateway);
        named.put("baseline", baseline);
        named.put("ratio", ratio);
        for (Map.Entry<String, List<Summary>> cell : named.entrySet()) {
            List<String> spreads = new ArrayList<>();
            for (Summary summary : cell.getValue()) {
                double spread = summary.spread();
                spreads.add(percent(spread));
                known |= !Double.isNaN(spread);
                stable &= Double.isNaN(spread) || spread <= STABLE;
            }
            if (!spreads.isEmpty()) {
                cells.add(cell.getKey() + " " + String.join(" / ", spreads));
            }
        }
        String verdict = !known ? "fewer than two values, stability unknown" : stable ? "stable" : "**unstable**";
        return String.join(", ", cells) + ": " + verdict;
    }

    private static String percent(double spread) {
        if (Double.isNaN(spread)) {
            return "n/a";
        }
        if (Double.isInfinite(spread)) {
            return "inf% (median 0)";
        }
        double percent = spread * 100;
        return (percent < 100 ? String.format(Locale.ROOT, "%.1f", percent) : String.valueOf(Math.round(percent))) + "%";
    }

    /** One sample as is; several as the median and, when they differ, (min-max). Missing samples are skipped. */
    static String summary(double[] samples, boolean twoDecimals) {
        return Summary.of(samples).text(twoDecimals);
    }
    static String number(double value, boolean twoDecimals) {
        if (twoDecimals) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        String text = String.format(Locale.ROOT, "%.2f", value);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
