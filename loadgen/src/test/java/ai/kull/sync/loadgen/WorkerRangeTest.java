package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerRangeTest {

    @Test
    void workerIOfNHoldsTheIthBlockOfUsers() {
        WorkerRange third = WorkerRange.of(new Flags(new String[]{"--workers", "4", "--worker-index", "2",
                "--user-prefix", "run7-u"}), 5000);
        assertThat(third.firstUser()).isEqualTo(10_000);
        assertThat(third.users()).isEqualTo(5000);
        assertThat(third.toReport()).containsEntry("userPrefix", "run7-u").containsEntry("workers", 4);
    }

    @Test
    void oneRunOnItsOwnIsWorkerZeroOfOneWithARandomPrefix() {
        WorkerRange alone = WorkerRange.of(new Flags(new String[0]), 100);
        assertThat(alone.index()).isZero();
        assertThat(alone.firstUser()).isZero();
        assertThat(alone.userPrefix()).startsWith("lg").endsWith("-u");
    }

    @Test
    void badRangesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> WorkerRange.of(new Flags(new String[]{"--workers", "3", "--worker-index", "1"}), 10))
                .hasMessageContaining("needs --user-prefix");
        assertThatThrownBy(() -> WorkerRange.of(new Flags(new String[]{"--workers", "3", "--worker-index", "3",
                "--user-prefix", "p"}), 10)).hasMessageContaining("--worker-index must be in 0..2");
    }
}
