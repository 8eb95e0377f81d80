package ai.kull.sync.loadgen.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class HistogramTest {

    private static final String NAME = "sync_gateway_delivery_latency_seconds";

    /** A scrape as the pod's Prometheus registry writes it: two types, buckets in ms as seconds, sums and counts. */
    private static String scrape(long[] credit, long[] shoot) {
        String[] le = {"5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025", "+Inf"};
        StringBuilder text = new StringBuilder("# HELP " + NAME + " Kafka record timestamp to the frame written\n"
                + "# TYPE " + NAME + " histogram\n");
        for (int i = 0; i < le.length; i++) {
            text.append(NAME).append("_bucket{type=\"CREDIT_UPDATE\",le=\"").append(le[i]).append("\"} ").append(credit[i]).append('\n');
            text.append(NAME).append("_bucket{type=\"SHOOT_PROGRESS\",le=\"").append(le[i]).append("\",} ").append(shoot[i])
                    .append(".0\n");
        }
        text.append(NAME).append("_count{type=\"CREDIT_UPDATE\"} ").append(credit[le.length - 1]).append('\n');
        text.append(NAME).append("_sum{type=\"CREDIT_UPDATE\"} 12.5\n");
        text.append(NAME).append("_max{type=\"CREDIT_UPDATE\"} 0.04\n");
        text.append("sync_gateway_other_bucket{le=\"0.001\"} 99\n");
        return text.toString();
    }

    @Test
    void theObservationsBetweenTwoScrapesGiveQuantilesByInterpolationWithinTheirBucket() {
        Histogram before = Histogram.parse(scrape(new long[] {10, 20, 30, 40, 50, 60, 70}, new long[] {0, 0, 0, 0, 0, 0, 5}), NAME);
        // Since then, summed over both types: 100 <= 0.5 ms, 400 in (0.5, 1], 400 in (1, 2.5], 90 in (2.5, 5],
        // 9 in (5, 10], 0 in (10, 25], 1 above 25 ms: 1000 deliveries.
        Histogram after = Histogram.parse(scrape(new long[] {60, 270, 530, 590, 605, 615, 625},
                new long[] {50, 250, 400, 440, 444, 444, 450}), NAME);

        Histogram run = after.minus(before);

        assertThat(run.bounds()).containsExactly(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, Double.POSITIVE_INFINITY);
        assertThat(run.count()).isEqualTo(1000);
        // rank 500: 100 below 1 ms's bucket, 400 in it: 0.5 + 0.5 * 400/400 = 1 ms
        assertThat(run.quantile(0.5)).isCloseTo(0.001, offset(1e-12));
        // rank 990: 900 below 5 ms's bucket (2.5-5 ms), 90 in it: the bucket's top
        assertThat(run.quantile(0.99)).isCloseTo(0.005, offset(1e-12));
        // rank 999: 990 below the 5-10 ms bucket, 9 in it: 5 + 5 * 9/9 = 10 ms
        assertThat(run.quantile(0.999)).isCloseTo(0.010, offset(1e-12));
        // rank 995: 5 of those 9: 5 + 5 * 5/9 ms
        assertThat(run.quantile(0.995)).isCloseTo(0.005 + 0.005 * 5 / 9, offset(1e-12));
        // the last one is above every finite bound: reported as the highest of them
        assertThat(run.quantile(1)).isEqualTo(0.025);
        assertThat(run.shareAtMost(0.005)).isEqualTo(0.99);
        assertThat(run.shareAtMost(0.004)).isNaN();

        Histogram credit = Histogram.parse(scrape(new long[] {60, 270, 530, 590, 605, 615, 625},
                new long[] {50, 250, 400, 440, 444, 444, 450}), NAME, "type=\"CREDIT_UPDATE\"");
        assertThat(credit.cumulative()).containsExactly(60, 270, 530, 590, 605, 615, 625);
    }

    @Test
    void theUpperBoundOfAQuantileIsTheBoundOfTheBucketItsRankFallsInto() {
        Histogram before = Histogram.parse(scrape(new long[] {10, 20, 30, 40, 50, 60, 70}, new long[] {0, 0, 0, 0, 0, 0, 5}), NAME);
        // The same 1000 deliveries as above: 100 <= 0.5 ms, 400 in (0.5, 1], 400 in (1, 2.5], 90 in (2.5, 5],
        // 9 in (5, 10], 0 in (10, 25], 1 above 25 ms.
        Histogram run = Histogram.parse(scrape(new long[] {60, 270, 530, 590, 605, 615, 625},
                new long[] {50, 250, 400, 440, 444, 444, 450}), NAME).minus(before);

        // rank 300 in (0.5, 1]: its upper bound, where interpolation says 0.75 ms
        assertThat(run.upperBound(0.3)).isEqualTo(0.001);
        assertThat(run.quantile(0.3)).isCloseTo(0.00075, offset(1e-12));
        // rank 500: exactly the 500 at most 1 ms; rank 501 is in the next bucket
        assertThat(run.upperBound(0.5)).isEqualTo(0.001);
        assertThat(run.upperBound(0.501)).isEqualTo(0.0025);
        assertThat(run.upperBound(0.1)).isEqualTo(0.0005);
        assertThat(run.upperBound(0.99)).isEqualTo(0.005);
        assertThat(run.upperBound(0.995)).isEqualTo(0.010);
        // rank 999.5: only the one above 25 ms holds it; no finite bound is an upper bound
        assertThat(run.upperBound(0.9995)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(run.aboveHighestBound()).isEqualTo(1);
        assertThat(run.highestBound()).isEqualTo(0.025);

        Histogram none = run.minus(run);
        assertThat(none.upperBound(0.99)).isNaN();
        assertThat(none.aboveHighestBound()).isZero();
        assertThat(Histogram.parse("", NAME).highestBound()).isNaN();
    }

    @Test
    void withoutObservationsThereIsNoQuantile() {
        Histogram same = Histogram.parse(scrape(new long[] {1, 2, 3, 4, 5, 6, 7}, new long[7]), NAME);
        assertThat(same.minus(same).quantile(0.99)).isNaN();
        assertThat(Histogram.parse("jvm_threads_live 12\n", NAME).count()).isZero();
        assertThat(Histogram.parse(scrape(new long[7], new long[7]), NAME).minus(Histogram.parse("", NAME)).count()).isZero();
    }

    @Test
    void bucketsThatChangedBetweenTheScrapesAreRefused() {
        Histogram seven = Histogram.parse(scrape(new long[7], new long[7]), NAME);
        Histogram two = Histogram.parse(NAME + "_bucket{le=\"0.001\"} 1\n" + NAME + "_bucket{le=\"+Inf\"} 2\n", NAME);
        assertThatThrownBy(() -> seven.minus(two)).hasMessageContaining("buckets changed");
    }
}
