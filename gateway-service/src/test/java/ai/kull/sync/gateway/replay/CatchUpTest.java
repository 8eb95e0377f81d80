package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Scope;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.Offsets;
import ai.kull.sync.gateway.session.SessionRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static ai.kull.sync.gateway.replay.DeliveryRuleTest.entry;
import static ai.kull.sync.gateway.replay.DeliveryRuleTest.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay component without Quarkus or a broker: a real window, a host that records what it is asked, and log
 * reads answered by the test as the log reader would.
 */
class CatchUpTest {

    private static final long UNBOUNDED = Long.MAX_VALUE / 4;

    /** Records sends, log reads, completions; the socket drains only when the test says so. */
    static final class Host implements CatchUp.Host {
        final ReplayWindow window;
        final List<String> sent = new ArrayList<>();
        /** Each read asked, as slot: [from, until). */
        final List<Map<Integer, List<Long>>> logReads = new ArrayList<>();
        String outcome;
        long frameBytes = 10;

        Host(long windowBytes, long... startOffsets) {
            window = new ReplayWindow(3_600_000, windowBytes);
            window.reset(startOffsets);
        }

        final Map<Integer, Long> routed = new java.util.HashMap<>();

        void add(int slot, long offset, Scope scope, String key) {
            window.add(entry(slot, offset, scope, key, "CREDIT_UPDATE", null, null), 0);
            routed.put(slot, offset + 1);
        }

        @Override
        public long routedTo(int slot) {
            return routed.getOrDefault(slot, 0L);
        }

        @Override
        public ReplayWindow window() {
            return window;
        }

        @Override
        public void send(CatchUp catchUp, WindowEntry entry) {
            sent.add(entry.key() + "@" + entry.slot() + ":" + entry.offset());
            catchUp.session().outbound().tryReserve(frameBytes, UNBOUNDED);
        }

        @Override
        public void readLog(CatchUp catchUp, Offsets from, Offsets until) {
            Map<Integer, List<Long>> ranges = new java.util.TreeMap<>();
            from.forEach((slot, offset) -> ranges.put(slot, List.of(offset, until.get(slot))));
            logReads.add(ranges);
        }

        @Override
        public boolean whenDrained(CatchUp catchUp, long bytes) {
            return catchUp.session().outbound().whenAtMost(bytes, catchUp::proceed);
        }

        @Override
        public void caughtUp(CatchUp catchUp) {
            outcome = "caught up, sent " + catchUp.sent();
        }

        @Override
        public void resync(CatchUp catchUp, String reason) {
            outcome = "resync: " + reason;
        }
    }

    private final DeviceSession phone = session("alice", "phone", Set.of());

    private CatchUp catchUp(Host host, Map<Integer, Long> from, Map<Integer, Long> until, boolean resume) {
        return new CatchUp(phone, host, 1_000, Offsets.of(from), Offsets.of(until), resume);
    }

    /** The log's answer: the given offsets of alice's records on slot 0, read up to {@code reached}. */
    private static CatchUp.LogBatch logHas(long reached, long... offsets) {
        List<WindowEntry> entries = new ArrayList<>();
        for (long offset : offsets) {
            entries.add(entry(0, offset, Scope.USER, "alice", "CREDIT_UPDATE", null, null));
        }
        return new CatchUp.LogBatch(entries, Offsets.of(Map.of(0, reached)), () -> { });
    }

    @Test
    void withinTheWindowItSendsTheUsersRecordsFromTheCursorThenGoesLive() {
        Host host = new Host(1 << 20, 0);
        for (long offset = 0; offset < 6; offset++) {
            host.add(0, offset, Scope.USER, offset == 4 ? "bob" : "alice");
        }
        CatchUp catchUp = catchUp(host, Map.of(0, 2L), Map.of(), false);
        catchUp.start();
        assertThat(host.sent).containsExactly("alice@0:2", "alice@0:3", "alice@0:5");
        assertThat(host.logReads).isEmpty();
        assertThat(catchUp.state()).isEqualTo(CatchUp.State.LIVE);
        assertThat(host.outcome).isEqualTo("caught up, sent 3");
    }

    @Test
    void belowTheWindowItReadsTheLogFirstThenTheWindowInOrder() {
        Host host = new Host(1 << 20, 5); // the window holds slot 0 from offset 5 on
        host.add(0, 5, Scope.USER, "alice");
        host.add(0, 6, Scope.USER, "alice");
        CatchUp catchUp = catchUp(host, Map.of(0, 2L), Map.of(), false);
        catchUp.start();
        assertThat(catchUp.state()).isEqualTo(CatchUp.State.FROM_LOG);
        assertThat(host.logReads).hasSize(1);
        // Up to what the pod has routed, not only to the window's start: the window moves while a read waits.
        assertThat(host.logReads.get(0).get(0)).containsExactly(2L, 7L);
        assertThat(host.sent).isEmpty();

        catchUp.logRead(logHas(7, 2, 4, 5, 6), null);
        assertThat(host.sent).containsExactly("alice@0:2", "alice@0:4", "alice@0:5", "alice@0:6");
        assertThat(catchUp.cursorPositions().get(0)).isEqualTo(7);
        assertThat(host.outcome).isEqualTo("caught up, sent 4");
    }

    @Test
    void aResumeWaitsForTheLogsEndAndSendsWhatArrivedMeanwhileFirst() {
        Host host = new Host(1 << 20, 0);
        host.add(0, 0, Scope.USER, "alice");
        CatchUp catchUp = catchUp(host, Map.of(0, 0L), Map.of(), true);
        catchUp.start();
        assertThat(catchUp.state()).isEqualTo(CatchUp.State.AWAITING_LOG_END);
        assertThat(host.outcome).isNull();

        host.add(0, 1, Scope.USER, "alice"); // routed while it waits: not live, in the window
        catchUp.logEndReached();
        assertThat(host.sent).containsExactly("alice@0:0", "alice@0:1");
        assertThat(host.outcome).isEqualTo("caught up, sent 2");
    }

    @Test
    void itIsPacedByTheSocketAndFallsBackToTheLogWhenTheWindowMovesPastIt() {
        // Room for about 25 entries of 2 bytes plus bookkeeping.
        Host host = new Host(25 * (ReplayWindow.ENTRY_BYTES + 2), 0);
        host.frameBytes = 400; // three frames fill the 1,000-byte batch
        for (long offset = 0; offset < 10; offset++) {
            host.add(0, offset, Scope.USER, "alice");
        }
        CatchUp catchUp = catchUp(host, Map.of(0, 0L), Map.of(), false);
        catchUp.start();
        assertThat(host.sent).hasSize(3);

        for (long offset = 10; offset < 40; offset++) { // evicts offsets 0-14 while the socket is full
            host.add(0, offset, Scope.USER, "alice");
        }
        phone.outbound().release(3 * 400);
        assertThat(catchUp.state()).isEqualTo(CatchUp.State.FROM_LOG);
        assertThat(host.logReads.get(0).get(0)).containsExactly(3L, 40L);

        long[] rest = java.util.stream.LongStream.range(3, 40).toArray();
        catchUp.logRead(logHas(40, rest), null);
        while (catchUp.state() == CatchUp.State.FROM_WINDOW) {
            phone.outbound().release(phone.outbound().pending());
        }
        List<String> expected = new ArrayList<>();
        for (long offset = 0; offset < 40; offset++) {
            expected.add("alice@0:" + offset);
        }
        assertThat(host.sent).containsExactlyElementsOf(expected);
        assertThat(host.outcome).isEqualTo("caught up, sent 40");
    }

    @Test
    void aCursorTheLogNoLongerHoldsEndsInResync() {
        Host host = new Host(1 << 20, 5);
        host.add(0, 5, Scope.USER, "alice");
        CatchUp catchUp = catchUp(host, Map.of(0, 2L), Map.of(), true);
        catchUp.start();
        boolean[] released = new boolean[1];
        catchUp.logRead(null, CatchUp.OLDER_THAN_RETENTION);
        assertThat(host.outcome).isEqualTo("resync: " + CatchUp.OLDER_THAN_RETENTION);
        assertThat(catchUp.state()).isEqualTo(CatchUp.State.ENDED);

        catchUp.logRead(new CatchUp.LogBatch(List.of(), Offsets.none(), () -> released[0] = true), null); // late answer
        assertThat(released[0]).isTrue();
        assertThat(host.sent).isEmpty();
    }

    @Test
    void getPendingStopsWhereTheSessionStartedLive() {
        Host host = new Host(1 << 20, 0);
        for (long offset = 0; offset < 8; offset++) {
            host.add(0, offset, Scope.USER, "alice");
        }
        CatchUp catchUp = catchUp(host, Map.of(0, 2L), Map.of(0, 6L), false);
        catchUp.start();
        assertThat(host.sent).containsExactly("alice@0:2", "alice@0:3", "alice@0:4", "alice@0:5");
    }

    @Test
    void anOrganizationJoinedLateIsReplayedFromTheCursorWithoutRepeatingOthersOnItsPartition() {
        SessionRegistry registry = new SessionRegistry(new GatewayMetrics(new SimpleMeterRegistry()));
        registry.subscribe(phone, "org-b");
        Host host = new Host(1 << 20, 0, 0);
        host.add(1, 0, Scope.ORG, "org-a");
        host.add(1, 1, Scope.ORG, "org-b"); // delivered live already: org-b was joined
        host.add(1, 2, Scope.ORG, "org-a");
        CatchUp catchUp = catchUp(host, Map.of(0, 0L, 1, 3L), Map.of(), false);
        registry.subscribe(phone, "org-a");
        catchUp.addOrg("org-a", Offsets.of(Map.of(1, 0L)), Offsets.of(Map.of(1, 3L)));
        assertThat(catchUp.cursorPositions().get(1)).isZero(); // a cut-off device comes back for org-a's records
        catchUp.start();
        assertThat(host.sent).containsExactly("org-a@1:0", "org-a@1:2");
    }

    @Test
    void anOrganizationJoinedWhileALogReadIsOutIsReadAgainFromItsCursor() {
        SessionRegistry registry = new SessionRegistry(new GatewayMetrics(new SimpleMeterRegistry()));
        Host host = new Host(1 << 20, 10, 10); // the window holds both slots from 10
        host.add(0, 10, Scope.USER, "alice");
        host.add(1, 10, Scope.ORG, "org-b");
        CatchUp catchUp = catchUp(host, Map.of(0, 2L, 1, 5L), Map.of(), false);
        catchUp.start();
        assertThat(host.logReads.get(0)).containsOnlyKeys(0, 1);

        registry.subscribe(phone, "org-a"); // joined while that read is out, replayed from the cursor's 3
        catchUp.addOrg("org-a", Offsets.of(Map.of(1, 3L)), Offsets.of(Map.of(1, 11L)));
        catchUp.logRead(new CatchUp.LogBatch(List.of(), Offsets.of(Map.of(0, 11L, 1, 11L)), () -> { }), null);

        // The first read did not look for org-a's records: they are read, not skipped as passed.
        assertThat(host.logReads).hasSize(2);
        assertThat(host.logReads.get(1).get(1)).containsExactly(3L, 11L);
    }
}
