package ai.kull.sync.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class CloseCodesTest {

    @Test
    void aRefusedUpgradeIsClosedWith4000PlusItsHttpStatus() {
        assertThat(CloseCodes.UPGRADE_UNAUTHORIZED).isEqualTo(4401).isEqualTo(CloseCodes.ofRefusedUpgrade(401));
        assertThat(CloseCodes.UPGRADE_FORBIDDEN).isEqualTo(4403);
        assertThat(CloseCodes.UPGRADE_TOO_MANY_SESSIONS).isEqualTo(4429);
        assertThat(CloseCodes.UPGRADE_UNAVAILABLE).isEqualTo(4503);
        assertThat(CloseCodes.isRefusedUpgrade(4401)).isTrue();
        assertThat(CloseCodes.isRefusedUpgrade(4503)).isTrue();
        assertThat(CloseCodes.isRefusedUpgrade(CloseCodes.RATE_LIMITED)).isFalse();
        assertThat(CloseCodes.isRefusedUpgrade(CloseCodes.MESSAGE_TOO_BIG)).isFalse();
    }

    @Test
    void theReasonCarriesTheRetryHintFirstAndFitsACloseFrame() {
        String reason = CloseCodes.refusalReason(10, "too many connections for this user on this pod");
        assertThat(reason).isEqualTo("retry-after=10; too many connections for this user on this pod");
        assertThat(CloseCodes.retryAfterSeconds(reason)).isEqualTo(10);
        assertThat(CloseCodes.refusalReason(null, "token expired")).isEqualTo("token expired");
        assertThat(CloseCodes.retryAfterSeconds("token expired")).isEqualTo(-1);
        assertThat(CloseCodes.retryAfterSeconds("retry-after=x; words")).isEqualTo(-1);
        assertThat(CloseCodes.retryAfterSeconds(null)).isEqualTo(-1);

        String long_ = CloseCodes.refusalReason(3, "token does not allow organization " + "é".repeat(200));
        assertThat(long_.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(123);
        assertThat(long_).startsWith("retry-after=3; ").endsWith("é");
        String emoji = CloseCodes.refusalReason(null, "😀".repeat(40));
        assertThat(emoji.getBytes(StandardCharsets.UTF_8)).hasSize(120);
        assertThat(emoji.codePoints()).allMatch(cp -> cp == "😀".codePointAt(0));
    }
}
