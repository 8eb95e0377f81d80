package ai.kull.sync.gateway.replay;

import ai.kull.sync.gateway.session.Offsets;

import ai.kull.sync.events.Scope;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayWindowTest {

    private static WindowEntry entry(int slot, long offset, Scope scope, String key, long timestamp) {
        return entry(slot, offset, scope, key, timestamp, new byte[100]);
    }

    private static WindowEntry entry(int slot, long offset, Scope scope, String key, long timestamp, byte[] value) {
        return new WindowEntry(slot, offset, timestamp, scope, key, "CREDIT_UPDATE", null, null, value);
    }

    /** A value that names its record, so a replayed copy shows whether the ring kept it whole. */
    private static byte[] valueOf(long offset, int length) {
        byte[] value = new byte[length];
        byte[] name = ("{\"offset\":" + offset + "}").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, value, 0, Math.min(name.length, length));
        for (int i = name.length; i < length; i++) {
            value[i] = (byte) ('a' + (offset + i) % 26);
        }
        return value;
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

        List<WindowEntry> missed = between(window, "alice", Set.of("org-1"), Map.of(0, 1L, 1, 0L, 2, 0L), Map.of());

        assertThat(missed).extracting(e -> e.key() + "@" + e.slot() + ":" + e.offset())
                .containsExactly("prompt-1@1:0", "alice@0:2", "org-1@2:0");
        assertThat(between(window, "alice", Set.of(), Map.of(0, 0L), Map.of(0, 2L)))
                .extracting(WindowEntry::offset).containsExactly(0L);
    }

    @Test
    void evictsTheOldestBeyondItsBytesAndAgeAndSaysWhatItNoLongerHolds() {
        long entryBytes = ReplayWindow.ENTRY_BYTES + 100;
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
        assertThat(between(window, "alice", Set.of(), Map.of(0, 0L), Map.of())).isEmpty();
    }

    @Test
    void keepsEveryValueWholeWhileTheRingGrowsWrapsAndEvicts() {
        // Values of varying length, many times the ring's initial size and twice its bound: the ring grows,
        // then wraps, and every value still in it must come back byte for byte.
        long maxBytes = 1 << 18;
        ReplayWindow window = new ReplayWindow(60_000, maxBytes);
        window.reset(new long[] {0});
        List<byte[]> added = new java.util.ArrayList<>();
        for (long offset = 0; offset < 3_000; offset++) {
            byte[] value = valueOf(offset, 40 + (int) (offset * 37 % 300));
            added.add(value);
            window.add(entry(0, offset, Scope.USER, "user-" + offset % 7, 1, value), 1);
        }
        assertThat(window.bytes()).isLessThanOrEqualTo(maxBytes);
        long oldestHeld = java.util.stream.LongStream.range(0, 3_000).filter(o -> window.holdsFrom(0, o)).min().orElseThrow();
        assertThat(oldestHeld).as("some evicted, some held").isBetween(1L, 2_999L);

        for (int user = 0; user < 7; user++) {
            List<WindowEntry> replayed = between(window, "user-" + user, Set.of(), Map.of(0, oldestHeld), Map.of());
            assertThat(replayed).isNotEmpty();
            for (WindowEntry entry : replayed) {
                assertThat(entry.offset() % 7).isEqualTo(user);
                assertThat(entry.text()).isEqualTo(new String(added.get((int) entry.offset()), StandardCharsets.UTF_8));
            }
            assertThat(replayed).extracting(WindowEntry::offset).isSorted();
        }
        assertThat(window.size()).isEqualTo((int) (3_000 - oldestHeld));
    }

    @Test
    void aValueLargerThanTheWholeWindowIsNotKeptAndNoCursorBeforeItReplays() {
        ReplayWindow window = new ReplayWindow(60_000, 4_096);
        window.reset(new long[] {0});
        window.add(entry(0, 0, Scope.USER, "alice", 1), 1);
        window.add(entry(0, 1, Scope.USER, "alice", 1, new byte[5_000]), 1);
        window.add(entry(0, 2, Scope.USER, "alice", 1), 1);

        assertThat(window.holdsFrom(0, 0)).isFalse();
        assertThat(window.holdsFrom(0, 2)).isTrue();
        assertThat(between(window, "alice", Set.of(), Map.of(0, 2L), Map.of())).extracting(WindowEntry::offset)
                .containsExactly(2L);
    }

    @Test
    void aUserWhoseEntriesAllLeftStartsAFreshChain() {
        long entryBytes = ReplayWindow.ENTRY_BYTES + 100;
        ReplayWindow window = new ReplayWindow(60_000, 2 * entryBytes);
        window.reset(new long[] {0});
        window.add(entry(0, 0, Scope.USER, "alice", 1), 1);
        window.add(entry(0, 1, Scope.USER, "bob", 1), 1);
        window.add(entry(0, 2, Scope.USER, "carol", 1), 1); // alice's only entry leaves
        window.add(entry(0, 3, Scope.USER, "alice", 1), 1); // bob's leaves

        assertThat(between(window, "alice", Set.of(), Map.of(0, 0L), Map.of())).extracting(WindowEntry::offset)
                .containsExactly(3L);
        assertThat(between(window, "bob", Set.of(), Map.of(0, 0L), Map.of())).isEmpty();
    }

    @Test
    void findsAnEventByItsIdInSlicesWithTheSessionsItReached() {
        ReplayWindow window = new ReplayWindow(60_000, 1 << 20);
        window.reset(new long[] {0});
        for (long offset = 0; offset < 100; offset++) {
            byte[] value = ("{\"id\":\"event-" + offset + "\",\"type\":\"CREDIT_UPDATE\"}").getBytes(StandardCharsets.UTF_8);
            window.reached(window.add(entry(0, offset, Scope.USER, "alice", 1, value), 1), (int) (offset % 3));
        }
        byte[] needle = ReplayWindow.idNeedle("event-42");
        long newest = window.newestPosition();
        assertThat(window.find(needle, newest, 10)).as("not among the newest ten").isNull();
        ReplayWindow.Found found = window.find(needle, newest, 100);
        assertThat(found.entry().offset()).isEqualTo(42);
        assertThat(found.reached()).isEqualTo(0);
        assertThat(window.find(ReplayWindow.idNeedle("event-4"), newest, 100).entry().offset())
                .as("an id that is a prefix of others is matched whole").isEqualTo(4);
        assertThat(window.find(ReplayWindow.idNeedle("event-100"), newest, 1_000)).isNull();
    }

    /** The entries {@link ReplayWindow#positions} finds, as a replay reads them. */
    private static List<WindowEntry> between(ReplayWindow window, String userId, Set<String> orgs,
                                             Map<Integer, Long> from, Map<Integer, Long> until) {
        return window.positions(userId, orgs, Offsets.of(from), Offsets.of(until), -1).stream()
                .map(window::entryAt).toList();
    }
}
