package ai.kull.sync.gateway.admission;

import org.junit.jupiter.api.Test;

import static ai.kull.sync.gateway.admission.InboundLimiter.Verdict.ACCEPT;
import static ai.kull.sync.gateway.admission.InboundLimiter.Verdict.CLOSE;
import static ai.kull.sync.gateway.admission.InboundLimiter.Verdict.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

/** The admission bounds' arithmetic, on a clock the test moves (the gateway tests check them end to end). */
class BoundsTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aTokenBucketAllowsItsBurstThenItsRate() {
        TokenBucket bucket = new TokenBucket(10, 3, 0);
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).as("burst used up").isFalse();
        assertThat(bucket.tryTake(SECOND / 20)).as("half a token later").isFalse();
        assertThat(bucket.tryTake(SECOND / 10)).as("one token later").isTrue();
        assertThat(bucket.tryTake(100 * SECOND)).isTrue();
        assertThat(bucket.tryTake(100 * SECOND)).isTrue();
        assertThat(bucket.tryTake(100 * SECOND)).isTrue();
        assertThat(bucket.tryTake(100 * SECOND)).as("refills up to the burst, no more").isFalse();
    }

    @Test
    void aTokenBucketIsFullOnceItsBurstIsRefilled() {
        TokenBucket bucket = new TokenBucket(10, 3, 0);
        assertThat(bucket.isFull(0)).as("starts full").isTrue();
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.isFull(SECOND / 20)).as("half a token back").isFalse();
        assertThat(bucket.isFull(SECOND / 10)).as("the token taken is back").isTrue();
    }

    @Test
    void anInboundLimiterRejectsOverTheRateAndClosesAfterTooManyRejectionsInItsWindow() {
        InboundLimiter limiter = new InboundLimiter(1, 2, 3, 10 * SECOND, 0);
        assertThat(limiter.onFrame(0)).isEqualTo(ACCEPT);
        assertThat(limiter.onFrame(0)).isEqualTo(ACCEPT);
        assertThat(limiter.onFrame(0)).isEqualTo(REJECT);
        assertThat(limiter.onFrame(0)).isEqualTo(REJECT);
        assertThat(limiter.onFrame(0)).isEqualTo(REJECT);
        assertThat(limiter.onFrame(SECOND)).as("a token again").isEqualTo(ACCEPT);
        assertThat(limiter.onFrame(SECOND)).as("fourth rejection in the window").isEqualTo(CLOSE);

        InboundLimiter patient = new InboundLimiter(1, 1, 1, 10 * SECOND, 0);
        assertThat(patient.onFrame(0)).isEqualTo(ACCEPT);
        assertThat(patient.onFrame(0)).isEqualTo(REJECT);
        assertThat(patient.onFrame(11 * SECOND)).isEqualTo(ACCEPT);
        assertThat(patient.onFrame(11 * SECOND)).as("the earlier rejection's window is over").isEqualTo(REJECT);
    }
}
