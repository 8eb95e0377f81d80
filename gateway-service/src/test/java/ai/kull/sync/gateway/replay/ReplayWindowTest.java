package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Scope;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayWindowTest {

    private long seq;

    private WindowEntry entry(int slot, long offset, Scope scope, String key, long timestamp) {
        return new WindowEntry(seq++, slot, offset, timestamp, scope, key, "CREDIT_UPDATE", null, null, new byte[100]);
    }

    @Test
    void findsAUsersBroadcastAndOrganizationEntriesFromTheCursorOnInArrivalOrder() {
        ReplayWindow window = new ReplayWindow(60_000, 1 << 20);
        window.reset(new long[] {0, 0, 0});
        window.add(entry(0, 0, Scope.USER, "alice", 1), 1);
        window.add(entry(0, 1, Scope.USER, "bob", 1), 1);
        window.add(entry(1, 0, Scope.BROADCAST, "prompt-1", 1), 1);
        window.add(entry(0, 2, Scope.USER, "alice", 1), 1);
        window.add(entry(2, 0, Scope.ORG, "org-1", 1), 1);
        window.add(entry(2, 1, Scope.ORG, "org-2", 1), 1);

        List<WindowEntry> missed = window.between("alice", Set.of("org-1"), Map.of(0, 1L, 1, 0L, 2, 0L), Map.of());

        assertThat(missed).extracting(e -> e.key() + "@" + e.slot() + ":" + e.offset())
                .containsExactly("prompt-1@1:0", "alice@0:2", "org-1@2:0");
        assertThat(window.between("alice", Set.of(), Map.of(0, 0L), Map.of(0, 2L)))
                .extracting(WindowEntry::offset).containsExactly(0L);
    }

    @Test
    void evictsTheOldestBeyondItsBytesAndAgeAndSaysWhatItNoLongerHolds() {
        long entryBytes = WindowEntry.OVERHEAD_BYTES + 200;
        ReplayWindow window = new ReplayWindow(10_000, 3 * entryBytes);
        window.reset(new long[] {5, 0});
        assertThat(window.holdsFrom(0, 4)).as("before the window started").isFalse();
        assertThat(window.holdsFrom(0, 5)).isTrue();

        for (long offset = 5; offset < 9; offset++) {
            window.add(entry(0, offset, Scope.USER, "alice", 1_000), 1_000);
        }
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.holdsFrom(0, 5)).isFalse();
        assertThat(window.holdsFrom(0, 6)).isTrue();
        assertThat(window.holdsFrom(1, 0)).as("another slot lost nothing").isTrue();

        window.add(entry(1, 0, Scope.USER, "bob", 20_000), 20_000);
        assertThat(window.size()).as("older than 10 s").isEqualTo(1);
        assertThat(window.holdsFrom(0, 9)).isTrue();
        assertThat(window.between("alice", Set.of(), Map.of(0, 0L), Map.of())).isEmpty();
    }
}
