package ai.kull.sync.loadgen.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures table. Every repeat adds the same rows (by key); a cell is a template whose numbers may differ
 * per repeat ({@code "{} / {}"}: p50 / p99; {@code {2}} prints two decimals, as ratios). Written once, each
 * number as the median over the repeats followed by (min-max) when they differ as printed.
 */
final class Table {

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

    private final Map<String, List<Row>> rows = new LinkedHashMap<>();

    void add(String key, Fig label, Fig gateway, Fig baseline, Fig ratio, String goal) {
        rows.computeIfAbsent(key, k -> new ArrayList<>()).add(new Row(label, gateway, baseline, ratio, goal));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The markdown rows, {@code | scenario | gateway | baseline | ratio | goal |}. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        rows.forEach((key, repeats) -> {
            Row first = repeats.get(0);
            lines.add("| " + merge(repeats, Row::label) + " | " + merge(repeats, Row::gateway) + " | "
                    + merge(repeats, Row::baseline) + " | " + merge(repeats, Row::ratio) + " | " + first.goal() + " |");
        });
        return lines;
    }

    private static String merge(List<Row> repeats, java.util.function.Function<Row, Fig> cell) {
        Fig first = cell.apply(repeats.get(0));
        StringBuilder out = new StringBuilder();
        String template = first.template();
        int value = 0;
        int at = 0;
        while (true) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                out.append(template, at, template.length());
                return out.toString();
            }
            int close = template.indexOf('}', open);
            out.append(template, at, open);
            boolean twoDecimals = template.substring(open + 1, close).equals("2");
            double[] samples = new double[repeats.size()];
            for (int i = 0; i < samples.length; i++) {
                double[] values = cell.apply(repeats.get(i)).values();
                samples[i] = value < values.length ? values[value] : Double.NaN;
            }
            out.append(summary(samples, twoDecimals));
            value++;
            at = close + 1;
        }
    }

    /** One sample as is; several as the median and, when they differ, (min-max). Missing samples are skipped. */
    static String summary(double[] samples, boolean twoDecimals) {
        double[] known = Arrays.stream(samples).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (known.length == 0) {
            return "n/a";
        }
        int n = known.length;
        double median = n % 2 == 1 ? known[n / 2] : (known[n / 2 - 1] + known[n / 2]) / 2;
        String text = number(median, twoDecimals);
        String low = number(known[0], twoDecimals);
        String high = number(known[n - 1], twoDecimals);
        if (!low.equals(high)) {
            text += " (" + low + "-" + high + ")";
        }
        if (n < samples.length) {
            text += " [" + (samples.length - n) + " n/a]";
        }
        return text;
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
