package ai.kull.sync.testing;

/** Reads samples out of a Prometheus text exposition ({@code /q/metrics}). */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The value of {@code sample} (name and labels exactly as exposed, e.g.
     * {@code sync_gateway_sessions_closed_total{code="4000"}}), 0 when it is not exposed (a counter not
     * incremented yet).
     */
    public static double value(String exposition, String sample) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }

    /** The sum of every sample whose name and labels start with {@code prefix} (e.g. heap used over all pools). */
    public static double sum(String exposition, String prefix) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(prefix)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
