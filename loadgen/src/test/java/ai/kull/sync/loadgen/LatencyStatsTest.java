package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyStatsTest {

    @Test
    void percentilesOfOneToOneThousandMicroseconds() {
        LatencyStats stats = new LatencyStats();
        for (long micros = 1000; micros >= 1; micros--) {
            stats.record(micros);
        }
        LatencyStats.Snapshot total = stats.total();
        assertThat(total.count()).isEqualTo(1000);
        assertThat(total.p50()).isBetween(499L, 501L);
        assertThat(total.p95()).isBetween(949L, 951L);
        assertThat(total.p99()).isBetween(989L, 991L);
        assertThat(total.max()).isEqualTo(1000);
        assertThat(total.mean()).isCloseTo(500.5, within(1.0));
    }

    @Test
    void intervalsAddUpToTheTotalAndResetDropsTheWarmUp() {
        LatencyStats stats = new LatencyStats();
        stats.record(1_000_000);
        stats.reset();
        stats.record(10);
        assertThat(stats.interval().count()).isEqualTo(1);
        stats.record(20);
        stats.record(-5); // another machine's clock: counted as 0
        assertThat(stats.interval().count()).isEqualTo(2);
        LatencyStats.Snapshot total = stats.total();
        assertThat(total.count()).isEqualTo(3);
        assertThat(total.max()).isEqualTo(20);
    }
}
