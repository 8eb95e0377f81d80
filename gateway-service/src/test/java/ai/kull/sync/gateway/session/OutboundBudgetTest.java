package ai.kull.sync.gateway.session;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbound bound's arithmetic (the gateway tests check it end to end). Moved from BoundsTest. */
class OutboundBudgetTest {

    @Test
    void anOutboundBudgetRefusesWhatWouldExceedItsBoundUntilWritesComplete() {
        OutboundBudget budget = new OutboundBudget();
        assertThat(budget.tryReserve(5_000, 1_000)).as("one big frame alone still goes out").isTrue();
        assertThat(budget.tryReserve(1, 1_000)).isFalse();
        budget.release(5_000);
        assertThat(budget.tryReserve(600, 1_000)).isTrue();
        assertThat(budget.tryReserve(400, 1_000)).isTrue();
        assertThat(budget.tryReserve(1, 1_000)).isFalse();
        budget.release(600);
        assertThat(budget.tryReserve(600, 1_000)).isTrue();
        assertThat(budget.pending()).isEqualTo(1_000);
    }

    @Test
    void aDrainTaskRunsOnceWhenPendingFallsToItsMark() {
        OutboundBudget budget = new OutboundBudget();
        AtomicInteger runs = new AtomicInteger();
        assertThat(budget.whenAtMost(100, runs::incrementAndGet)).as("already drained: the caller goes on").isFalse();
        assertThat(runs).hasValue(0);

        budget.tryReserve(300, 1_000);
        assertThat(budget.whenAtMost(100, runs::incrementAndGet)).isTrue();
        budget.release(150);
        assertThat(runs).as("150 still pending, above the mark").hasValue(0);
        budget.release(100);
        assertThat(runs).hasValue(1);
        budget.tryReserve(300, 1_000);
        budget.release(300);
        assertThat(runs).as("once per arrangement").hasValue(1);
    }
}
