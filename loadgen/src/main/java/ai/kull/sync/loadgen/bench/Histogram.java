package ai.kull.sync.loadgen.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus histogram read from a {@code /q/metrics} scrape: the cumulative count of each bucket's upper
 * bound ({@code le}), summed over the other labels (the gateway's delivery latency has one series per event
 * type) or of one label's series. Two scrapes subtracted give the observations in between, and quantiles are read from those.
 *
 * @param bounds     bucket upper bounds, ascending, the last {@code +Inf}
 * @param cumulative observations at most each bound
 */
public record Histogram(double[] bounds, double[] cumulative) {

    /** The {@code <name>_bucket} series of a Prometheus text scrape; empty if there are none. */
    public static Histogram parse(String metrics, String name) {
        return parse(metrics, name, null);
    }

    /** The same, of the series with the label {@code label} ({@code type="CREDIT_UPDATE"}) only, or all if null. */
    static Histogram parse(String metrics, String name, String label) {
        Map<Double, Double> buckets = new TreeMap<>();
        String prefix = name + "_bucket{";
        metrics.lines().filter(line -> line.startsWith(prefix)).forEach(line -> {
            int labelsEnd = line.indexOf('}');
            if (label != null && !line.substring(prefix.length(), labelsEnd).contains(label)) {
                return;
            }
            int le = line.indexOf("le=\"", prefix.length());
            if (le < 0 || le > labelsEnd) {
                return;
            }
            String bound = line.substring(le + 4, line.indexOf('"', le + 4));
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            // After the labels: the value, then (OpenMetrics) an optional timestamp or exemplar.
            String value = line.substring(labelsEnd + 1).trim().split("\\s+")[0];
            buckets.merge(upper, Double.parseDouble(value), Double::sum);
        });
        return new Histogram(buckets.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                buckets.values().stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The observations made since {@code earlier} (a scrape of the same histogram), bucket by bucket. */
    public Histogram minus(Histogram earlier) {
        if (!Arrays.equals(bounds, earlier.bounds) && earlier.bounds.length > 0) {
            throw new IllegalArgumentException("buckets changed between the scrapes: " + Arrays.toString(earlier.bounds)
                    + " then " + Arrays.toString(bounds));
        }
        double[] delta = cumulative.clone();
        for (int i = 0; i < earlier.cumulative.length; i++) {
            delta[i] -= earlier.cumulative[i];
        }
        return new Histogram(bounds, delta);
    }

    /** All observations (the {@code +Inf} bucket). */
    public double count() {
        return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    /**
     * The q-quantile by linear interpolation within the bucket its rank falls into, between the bucket's
     * lower bound (the previous one, or 0) and its upper bound, as Prometheus' {@code histogram_quantile}
     * does; in the {@code +Inf} bucket, the highest finite bound. NaN without observations.
     */
    double quantile(double q) {
        int i = bucketOf(q);
        if (i < 0) {
            return Double.NaN;
        }
        double lower = i == 0 ? 0 : bounds[i - 1];
        if (Double.isInfinite(bounds[i])) {
            return lower;
        }
        double rank = q * count();
        double below = i == 0 ? 0 : cumulative[i - 1];
        double inBucket = cumulative[i] - below;
        return inBucket <= 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / inBucket;
    }

    /**
     * The q-quantile as the upper bound of the bucket its rank falls into: at least the true quantile, whatever
     * the observations' spread within the bucket; {@code +Inf} when it lies above the highest finite bound, NaN
     * without observations.
     */
    public double upperBound(double q) {
        int i = bucketOf(q);
        return i < 0 ? Double.NaN : bounds[i];
    }

    /** The observations above the highest finite bound (those of the {@code +Inf} bucket only). */
    public double aboveHighestBound() {
        int n = cumulative.length;
        return n == 0 || !Double.isInfinite(bounds[n - 1]) ? 0 : cumulative[n - 1] - (n >= 2 ? cumulative[n - 2] : 0);
    }

    /** The highest finite bucket bound; NaN without one. */
    public double highestBound() {
        for (int i = bounds.length - 1; i >= 0; i--) {
            if (!Double.isInfinite(bounds[i])) {
                return bounds[i];
            }
        }
        return Double.NaN;
    }

    /** The bucket the q-quantile's rank ({@code q} x count) falls into: the first holding at least that many; -1 without observations. */
    private int bucketOf(double q) {
        double count = count();
        if (count <= 0) {
            return -1;
        }
        double rank = q * count;
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                return i;
            }
        }
        return bounds.length - 1;
    }

    /** The share of observations at most {@code bound}, which must be a bucket bound; NaN otherwise or without any. */
    double shareAtMost(double bound) {
        for (int i = 0; i < bounds.length; i++) {
            if (Math.abs(bounds[i] - bound) <= 1e-12 * Math.max(1, bound) && count() > 0) {
                return cumulative[i] / count();
            }
        }
        return Double.NaN;
    }
}
