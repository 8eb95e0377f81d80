package ai.kull.sync.loadgen;

import ai.kull.sync.loadgen.bench.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PodWatchTest {

    private static final String NAME = PodMetrics.DELIVERY_LATENCY;

    /** The pod's delivery latency in two series (types), with the bucket bounds it registers, in seconds. */
    private static String scrape(long[] credit, long[] presence) {
        String[] le = {"5.0E-4", "0.001", "0.0025", "0.005", "0.01", "+Inf"};
        StringBuilder text = new StringBuilder("# TYPE " + NAME + " histogram\n");
        for (int i = 0; i < le.length; i++) {
            text.append(NAME).append("_bucket{type=\"CREDIT_UPDATE\",le=\"").append(le[i]).append("\"} ")
                    .append(credit[i]).append('\n');
            text.append(NAME).append("_bucket{type=\"PRESENCE\",le=\"").append(le[i]).append("\"} ")
                    .append(presence[i]).append('\n');
        }
        return text.toString();
    }

    @Test
    void aPhaseGetsTheQuantilesOfItsOwnObservationsAllTypesSummedAsBucketUpperBoundsInMs() {
        Histogram before = Histogram.parse(scrape(new long[] {100, 200, 300, 300, 300, 300},
                new long[] {0, 0, 0, 0, 0, 0}), NAME);
        // Over the phase, both types: 10 <= 0.5 ms, 80 in (0.5, 1], 0 in (1, 2.5], 9 in (2.5, 5], 0 in (5, 10],
        // 1 above 10 ms: 100 deliveries. Read from the pod's start instead, p50 would be 0.5 ms.
        Histogram after = Histogram.parse(scrape(new long[] {105, 250, 350, 355, 355, 356},
                new long[] {5, 40, 40, 44, 44, 44}), NAME);

        Map<String, Object> figures = PodWatch.quantiles(after, before);

        assertThat(figures).containsEntry("count", 100L).containsEntry("p50Ms", 1.0).containsEntry("p99Ms", 5.0)
                .containsEntry("aboveHighestBound", 1L).containsEntry("highestBoundMs", 10.0);
    }

    @Test
    void aQuantileAboveTheHighestBoundOrAMissingScrapeHasNoFigure() {
        Histogram before = Histogram.parse(scrape(new long[6], new long[6]), NAME);
        Histogram slow = Histogram.parse(scrape(new long[] {1, 1, 1, 1, 1, 10}, new long[6]), NAME);

        assertThat(PodWatch.quantiles(slow, before)).containsEntry("count", 10L).containsEntry("p50Ms", null)
                .containsEntry("p99Ms", null).containsEntry("aboveHighestBound", 9L);
        assertThat(PodWatch.quantiles(slow, Histogram.parse("", NAME))).isNull();
        assertThat(PodWatch.quantiles(Histogram.parse("", NAME), before)).isNull();
    }
}
