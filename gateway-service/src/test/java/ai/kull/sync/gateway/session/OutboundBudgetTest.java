package ai.kull.sync.gateway.session;

import org.junit.jupiter.api.Test;

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
}
