package ai.kull.sync.gateway.replay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent event records of every user, bounded by age and by bytes, indexed so a resuming device's
 * missed events are found among its own user's (plus broadcasts and its organizations'), never by
 * scanning the whole window. Not thread-safe: the router owns it.
 */
public final class ReplayWindow {

    private final long maxAgeMillis;
    private final long maxBytes;
    private final Deque<WindowEntry> all = new ArrayDeque<>();
    private final Map<String, Deque<WindowEntry>> byUser = new HashMap<>();
    private final Map<String, Deque<WindowEntry>> byOrg = new HashMap<>();
    private final Deque<WindowEntry> broadcasts = new ArrayDeque<>();
    /** Per slot: every record below this offset has left the window (or was never in it). */
    private long[] evictedBelow = new long[0];
    private long bytes;

    public ReplayWindow(long maxAgeMillis, long maxBytes) {
        this.maxAgeMillis = maxAgeMillis;
        this.maxBytes = maxBytes;
    }

    /** Empties the window; it holds records from {@code startOffsets} (per slot) on. */
    public void reset(long[] startOffsets) {
        all.clear();
        byUser.clear();
        byOrg.clear();
        broadcasts.clear();
        bytes = 0;
        evictedBelow = startOffsets.clone();
    }

    public void add(WindowEntry entry, long now) {
        all.addLast(entry);
        indexOf(entry).addLast(entry);
        bytes += entry.bytes();
        while (!all.isEmpty() && (bytes > maxBytes || now - all.peekFirst().timestamp() > maxAgeMillis)) {
            evictOldest();
        }
    }

    /** Whether every record of {@code slot} at or after {@code offset} is still here. */
    public boolean holdsFrom(int slot, long offset) {
        return slot < evictedBelow.length && offset >= evictedBelow[slot];
    }

    /**
     * The user's, broadcast and organizations' entries with {@code from[slot] <= offset < until[slot]}, in
     * arrival order. Slots missing from {@code from} are skipped.
     */
    public List<WindowEntry> between(String userId, Collection<String> orgs, Map<Integer, Long> from,
                                     Map<Integer, Long> until) {
        List<WindowEntry> found = new ArrayList<>();
        collect(byUser.get(userId), from, until, found);
        collect(broadcasts, from, until, found);
        for (String org : orgs) {
            collect(byOrg.get(org), from, until, found);
        }
        found.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return found;
    }

    public long bytes() {
        return bytes;
    }

    public int size() {
        return all.size();
    }

    private static void collect(Deque<WindowEntry> entries, Map<Integer, Long> from, Map<Integer, Long> until,
                                List<WindowEntry> found) {
        if (entries == null) {
            return;
        }
        for (WindowEntry entry : entries) {
            Long start = from.get(entry.slot());
            Long end = until.get(entry.slot());
            if (start != null && entry.offset() >= start && (end == null || entry.offset() < end)) {
                found.add(entry);
            }
        }
    }

    private Deque<WindowEntry> indexOf(WindowEntry entry) {
        return switch (entry.scope()) {
            case USER -> byUser.computeIfAbsent(entry.key(), k -> new ArrayDeque<>());
            case ORG -> byOrg.computeIfAbsent(entry.key(), k -> new ArrayDeque<>());
            case BROADCAST, POD -> broadcasts;
        };
    }

    private void evictOldest() {
        WindowEntry oldest = all.pollFirst();
        bytes -= oldest.bytes();
        evictedBelow[oldest.slot()] = Math.max(evictedBelow[oldest.slot()], oldest.offset() + 1);
        // Arrival order is kept in every index, so the oldest entry overall is the oldest of its index too.
        Map<String, Deque<WindowEntry>> index = switch (oldest.scope()) {
            case USER -> byUser;
            case ORG -> byOrg;
            case BROADCAST, POD -> null;
        };
        if (index == null) {
            broadcasts.pollFirst();
        } else {
            index.computeIfPresent(oldest.key(), (key, entries) -> {
                entries.pollFirst();
                return entries.isEmpty() ? null : entries;
            });
        }
    }
}
