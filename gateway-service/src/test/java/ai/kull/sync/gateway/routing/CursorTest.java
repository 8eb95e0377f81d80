package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.Limits;
import org.junit.jupiter.api.Test;

import ai.kull.sync.gateway.session.Offsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CursorTest {

    @Test
    void roundTripsWithinTheContractsCursorPattern() {
        String text = Cursor.encode("1x2y3", new int[] {0, 7, 35}, new long[] {0, 123_456_789L, 42});

        assertThat(text).matches(Limits.CURSOR_PATTERN);
        assertThat(Cursor.parse(text)).contains(new Cursor("1x2y3", Offsets.of(Map.of(0, 0L, 7, 123_456_789L, 35, 42L))));
    }

    @Test
    void rejectsWhatItDidNotWrite() {
        for (String bad : new String[] {null, "", "noepoch", "~0.1", "e~x", "e~0.", "e~0.1,0.2", "e~-1.2", "e~0.-2",
                "e~0.1,,1.2"}) {
            assertThat(Cursor.parse(bad)).as(String.valueOf(bad)).isEmpty();
        }
    }
}
