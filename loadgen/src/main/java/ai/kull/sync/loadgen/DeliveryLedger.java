package ai.kull.sync.loadgen;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What was published to each user and what each session received: lost (published and acknowledged to a
 * user, not received by one of its sessions), duplicated (received twice by one session), out of order and
 * misrouted (a frame whose envelope names another user) deliveries.
 * <p>
 * A session's counters are touched only by the thread its socket runs on; a user's published set by the
 * publisher's callbacks, under the user's lock.
 */
public final class DeliveryLedger {

    private final ConcurrentHashMap<String, Published> published = new ConcurrentHashMap<>();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder foreign = new LongAdder();

    /** The events one session received. */
    public static final class Received {
        final String userId;
        final BitSet seqs = new BitSet();
        long lastSeq;

        public Received(String userId) {
            this.userId = userId;
        }
    }

    private static final class Published {
        final BitSet acked = new BitSet();
        long highest;
    }

    /** The publisher's broker (or service) acknowledged event {@code seq} of {@code userId}. */
    public void acknowledged(String userId, long seq) {
        Published user = published.computeIfAbsent(userId, u -> new Published());
        synchronized (user) {
            user.acked.set(Math.toIntExact(seq));
            user.highest = Math.max(user.highest, seq);
        }
    }

    /**
     * Records a frame carrying a marker received by {@code session}, which belongs to {@code session.userId}.
     *
     * @return true when it counts as a delivery (first time, this user's)
     */
    public boolean received(Received session, String envelopeUserId, long seq) {
        if (envelopeUserId != null && !envelopeUserId.equals(session.userId)) {
            misrouted.increment();
            return false;
        }
        int index = Math.toIntExact(seq);
        if (session.seqs.get(index)) {
            duplicates.increment();
            return false;
        }
        if (seq < session.lastSeq) {
            outOfOrder.increment();
        }
        session.lastSeq = Math.max(session.lastSeq, seq);
        session.seqs.set(index);
        delivered.increment();
        return true;
    }

    /** A frame from some other producer on the same topics (not counted). */
    public void foreign() {
        foreign.increment();
    }

    public long delivered() {
        return delivered.sum();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    public long outOfOrder() {
        return outOfOrder.sum();
    }

    public long misrouted() {
        return misrouted.sum();
    }

    /** Acknowledged events of every session's user that the session has not received (call when quiet). */
    public long lost(Iterable<Received> sessions) {
        long lost = 0;
        for (Received session : sessions) {
            lost += missing(session).cardinality();
        }
        return lost;
    }

    /**
     * The first {@code max} lost deliveries as {@code user#seq (session i)}, in session order: which events missed
     * which sessions, to look for in the gateways' logs. {@code sessions} as for {@link #lost}.
     */
    public List<String> lostSample(List<Received> sessions, int max) {
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < sessions.size() && sample.size() < max; i++) {
            BitSet missing = missing(sessions.get(i));
            for (int seq = missing.nextSetBit(0); seq >= 0 && sample.size() < max; seq = missing.nextSetBit(seq + 1)) {
                sample.add(sessions.get(i).userId + "#" + seq + " (session " + i + ")");
            }
        }
        return sample;
    }

    /** The sequence numbers acknowledged to the session's user that it has not received. */
    private BitSet missing(Received session) {
        Published user = published.get(session.userId);
        if (user == null) {
            return new BitSet();
        }
        synchronized (user) {
            BitSet missing = (BitSet) user.acked.clone();
            missing.andNot(session.seqs);
            return missing;
        }
    }

    /** Events acknowledged to all users. */
    public long acknowledged() {
        long total = 0;
        for (Published user : published.values()) {
            synchronized (user) {
                total += user.acked.cardinality();
            }
        }
        return total;
    }
}
