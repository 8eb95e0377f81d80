package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Scope;
import ai.kull.sync.gateway.session.Offsets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent event records of every user, bounded by age and by bytes, indexed so a resuming device's
 * missed events are found among its own user's (plus broadcasts and its organizations'), never by
 * scanning the whole window. Not thread-safe: the router owns it.
 * <p>
 * Every record of every partition passes through here and stays for minutes. Held as an object each, the
 * records were copied by every young collection until promoted, which cost a pod reading a backlog more
 * than its routing did. So the window holds no object per record: values are copied into one byte ring,
 * the routing facts into arrays indexed by position (a count of records added that only grows), and each
 * user's, organization's and the broadcasts' records are chained newest to oldest through those arrays.
 */
public final class ReplayWindow {

    /**
     * Array slots and chain link per entry, counted with the value against the byte bound. Public for loadgen's
     * capacity model, which reads it at compile time.
     */
    public static final int ENTRY_BYTES = 76;
    private static final int INITIAL_ENTRIES = 1 << 10;
    private static final int INITIAL_DATA_BYTES = 1 << 16;
    private static final long NONE = -1;

    private final long maxAgeMillis;
    private final long maxBytes;
    private final int maxDataBytes;

    /** Live entries are the positions [first, next); position p sits at index p & mask of every array. */
    private long first;
    private long next;
    private int mask = INITIAL_ENTRIES - 1;
    private int[] slots = new int[INITIAL_ENTRIES];
    private long[] offsets = new long[INITIAL_ENTRIES];
    private long[] timestamps = new long[INITIAL_ENTRIES];
    private Scope[] scopes = new Scope[INITIAL_ENTRIES];
    private String[] keys = new String[INITIAL_ENTRIES];
    /** The chain each entry is linked into: eviction checks it without a map lookup per record. */
    private Chain[] chains = new Chain[INITIAL_ENTRIES];
    private String[] types = new String[INITIAL_ENTRIES];
    private String[] targets = new String[INITIAL_ENTRIES];
    private String[] origins = new String[INITIAL_ENTRIES];
    /** Position of the previous entry of the same chain, or NONE. */
    private long[] previous = new long[INITIAL_ENTRIES];
    /** Where the value starts, as a ring position: byte q sits at data[q & dataMask]. */
    private long[] dataAt = new long[INITIAL_ENTRIES];
    private int[] lengths = new int[INITIAL_ENTRIES];
    /** Sessions of this pod each entry reached when it was routed (the admin API's "where did it go"). */
    private int[] reached = new int[INITIAL_ENTRIES];

    /** A power of two, so a position maps to it with a mask instead of a division. */
    private byte[] data;
    private long dataMask;
    /** Ring position where the next value goes. */
    private long dataEnd;

    private final Map<String, Chain> byUser = new HashMap<>();
    private final Map<String, Chain> byOrg = new HashMap<>();
    private final Chain broadcasts = new Chain(null, null);
    /** Per slot: every record below this offset has left the window (or was never in it). */
    private long[] evictedBelow = new long[0];
    private long bytes;

    public ReplayWindow(long maxAgeMillis, long maxBytes) {
        this.maxAgeMillis = maxAgeMillis;
        this.maxBytes = maxBytes;
        // The largest power of two within the bound (at most 1 GiB).
        this.maxDataBytes = Integer.highestOneBit((int) Math.max(1, Math.min(maxBytes, 1 << 30)));
        this.data = new byte[Math.min(INITIAL_DATA_BYTES, maxDataBytes)];
        this.dataMask = data.length - 1;
    }

    /** Empties the window; it holds records from {@code startOffsets} (per slot) on. */
    public void reset(long[] startOffsets) {
        while (first < next) {
            evictOldest();
        }
        evictedBelow = startOffsets.clone();
    }

    /** @return the entry's position (for {@link #reached}), or -1 when it is too large to be kept */
    public long add(WindowEntry entry, long now) {
        byte[] value = entry.value();
        if (value.length > maxDataBytes || ENTRY_BYTES + value.length > maxBytes) {
            // Larger than the whole window: no cursor before it can be replayed any more.
            evictedBelow[entry.slot()] = Math.max(evictedBelow[entry.slot()], entry.offset() + 1);
            return -1;
        }
        while (first < next && (now - timestamps[index(first)] > maxAgeMillis
                || bytes + ENTRY_BYTES + value.length > maxBytes)) {
            evictOldest();
        }
        long at = reserveData(value.length);
        if (next - first > mask) {
            growEntries();
        }
        int i = index(next);
        Chain chain = chainOf(entry.scope(), entry.key());
        slots[i] = entry.slot();
        offsets[i] = entry.offset();
        timestamps[i] = entry.timestamp();
        scopes[i] = entry.scope();
        keys[i] = chain == broadcasts ? entry.key() : chain.key;
        chains[i] = chain;
        types[i] = entry.type();
        targets[i] = entry.targetDevice();
        origins[i] = entry.originDevice();
        previous[i] = chain.newest;
        dataAt[i] = at;
        lengths[i] = value.length;
        reached[i] = 0;
        System.arraycopy(value, 0, data, (int) (at & dataMask), value.length);
        chain.newest = next++;
        dataEnd = at + value.length;
        bytes += ENTRY_BYTES + value.length;
        return next - 1;
    }

    /** How many sessions the entry at {@code position} reached on this pod. */
    public void reached(long position, int sessions) {
        if (position >= first && position < next) {
            reached[index(position)] = sessions;
        }
    }

    /** The window's size and its oldest record's age. */
    public record Figures(long records, long bytes, long oldestAgeMillis) {
    }

    public Figures figures(long now) {
        long oldest = first < next ? Math.max(0, now - timestamps[index(first)]) : 0;
        return new Figures(next - first, bytes, oldest);
    }

    /** An entry found by its event id, with the sessions it reached here. */
    public record Found(WindowEntry entry, int reached) {
    }

    /** What {@link #find} looks for: the envelope's id as the contract's encoder writes it. */
    public static byte[] idNeedle(String eventId) {
        return ("\"id\":\"" + eventId + "\"").getBytes(StandardCharsets.UTF_8);
    }

    /** Position of the newest entry (positions only grow; the oldest live one is {@link #oldestPosition}). */
    public long newestPosition() {
        return next - 1;
    }

    public long oldestPosition() {
        return first;
    }

    /**
     * Among the at most {@code count} entries at {@code from} and below (those still here), the newest whose value
     * holds {@code needle} ({@link #idNeedle}), or null. A scan: for admin requests only, in slices, so the
     * router's lock is never held for a whole window.
     */
    public Found find(byte[] needle, long from, int count) {
        for (long p = Math.min(from, next - 1); p >= first && p > from - count; p--) {
            int i = index(p);
            if (contains((int) (dataAt[i] & dataMask), lengths[i], needle)) {
                return new Found(entryAt(p), reached[i]);
            }
        }
        return null;
    }

    private boolean contains(int start, int length, byte[] needle) {
        outer:
        for (int at = start; at + needle.length <= start + length; at++) {
            for (int k = 0; k < needle.length; k++) {
                if (data[at + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether every record of {@code slot} at or after {@code offset} is still here. */
    public boolean holdsFrom(int slot, long offset) {
        return offset >= heldFrom(slot);
    }

    /** The first offset of {@code slot} from which the window holds every record: below it, read the log. */
    public long heldFrom(int slot) {
        return slot < evictedBelow.length ? evictedBelow[slot] : Long.MAX_VALUE;
    }

    /**
     * The window positions (for {@link #entryAt}) of the user's, broadcast and organizations' entries with
     * {@code from[slot] <= offset < until[slot]} (no upper bound where {@code until} has no slot), in arrival order,
     * and only those after {@code after}: what arrived since an earlier call, so a catch-up collects each entry
     * once. Slots missing from {@code from} are skipped.
     */
    public List<Long> positions(String userId, Collection<String> orgs, Offsets from, Offsets until, long after) {
        List<Long> found = new ArrayList<>();
        collect(byUser.get(userId), from, until, after, found);
        collect(broadcasts, from, until, after, found);
        for (String org : orgs) {
            collect(byOrg.get(org), from, until, after, found);
        }
        found.sort(null);
        return found;
    }

    /** The position the next entry will get: every position below it has been handed out. */
    public long nextPosition() {
        return next;
    }

    /** The entry at {@code position}, or null once it has left the window. */
    public WindowEntry entryAt(long position) {
        if (position < first || position >= next) {
            return null;
        }
        int i = index(position);
        byte[] value = new byte[lengths[i]];
        System.arraycopy(data, (int) (dataAt[i] & dataMask), value, 0, value.length);
        return new WindowEntry(slots[i], offsets[i], timestamps[i], scopes[i], keys[i], types[i], targets[i],
                origins[i], value);
    }

    public long bytes() {
        return bytes;
    }

    public int size() {
        return (int) (next - first);
    }

    private int index(long position) {
        return (int) (position & mask);
    }

    private Chain chainOf(Scope scope, String key) {
        return switch (scope) {
            case USER -> byUser.computeIfAbsent(key, k -> new Chain(k, byUser));
            case ORG -> byOrg.computeIfAbsent(key, k -> new Chain(k, byOrg));
            case BROADCAST -> broadcasts;
        };
    }

    private void collect(Chain chain, Offsets from, Offsets until, long after, List<Long> found) {
        if (chain == null) {
            return;
        }
        // A chain runs newest to oldest, so the first position that has left the window (or was collected
        // before) ends it.
        for (long position = chain.newest; position >= first && position > after;
             position = previous[index(position)]) {
            int i = index(position);
            long start = from.get(slots[i]);
            long end = until.get(slots[i]);
            if (start >= 0 && offsets[i] >= start && (end < 0 || offsets[i] < end)) {
                found.add(position);
            }
        }
    }

    /**
     * The ring position for a value of {@code length} bytes, kept whole (a value that would straddle the end
     * of the ring starts at its beginning instead). Grows the ring up to its bound, then evicts the oldest.
     */
    private long reserveData(int length) {
        while (true) {
            long at = dataEnd;
            long end = (at & dataMask) + length > data.length ? (at | dataMask) + 1 : at;
            long oldest = first < next ? dataAt[index(first)] : end;
            if (end + length - oldest <= data.length) {
                return end;
            }
            if (data.length < maxDataBytes) {
                growData();
            } else {
                evictOldest();
            }
        }
    }

    /** A ring twice the size, its values renumbered from the oldest so none straddles the new ring's end. */
    private void growData() {
        byte[] grown = new byte[(int) Math.min((long) data.length * 2, maxDataBytes)];
        long base = first < next ? dataAt[index(first)] : dataEnd;
        for (long p = first; p < next; p++) {
            int i = index(p);
            System.arraycopy(data, (int) (dataAt[i] & dataMask), grown, (int) (dataAt[i] - base), lengths[i]);
            dataAt[i] -= base;
        }
        dataEnd -= base;
        data = grown;
        dataMask = grown.length - 1;
    }

    private void growEntries() {
        int capacity = (mask + 1) * 2;
        int newMask = capacity - 1;
        slots = regrow(slots, new int[capacity], newMask);
        offsets = regrow(offsets, new long[capacity], newMask);
        timestamps = regrow(timestamps, new long[capacity], newMask);
        previous = regrow(previous, new long[capacity], newMask);
        dataAt = regrow(dataAt, new long[capacity], newMask);
        lengths = regrow(lengths, new int[capacity], newMask);
        reached = regrow(reached, new int[capacity], newMask);
        scopes = regrow(scopes, new Scope[capacity], newMask);
        keys = regrow(keys, new String[capacity], newMask);
        chains = regrow(chains, new Chain[capacity], newMask);
        types = regrow(types, new String[capacity], newMask);
        targets = regrow(targets, new String[capacity], newMask);
        origins = regrow(origins, new String[capacity], newMask);
        mask = newMask;
    }

    /** Copies the live positions of {@code from} (indexed by the current mask) into {@code to} (by newMask). */
    private <A> A regrow(A from, A to, int newMask) {
        // In runs that are contiguous in both arrays: at most three copies, not one per entry.
        for (long p = first; p < next; ) {
            int source = index(p);
            int target = (int) (p & newMask);
            int run = (int) Math.min(next - p, Math.min(mask + 1 - source, newMask + 1 - target));
            System.arraycopy(from, source, to, target, run);
            p += run;
        }
        return to;
    }

    private void evictOldest() {
        int i = index(first);
        bytes -= ENTRY_BYTES + lengths[i];
        int slot = slots[i];
        evictedBelow[slot] = Math.max(evictedBelow[slot], offsets[i] + 1);
        // The newest entry of its chain leaving means the whole chain has left: forget the key.
        Chain chain = chains[i];
        if (chain.newest == first) {
            chain.newest = NONE;
            if (chain.index != null) {
                chain.index.remove(chain.key);
            }
        }
        scopes[i] = null;
        keys[i] = null;
        chains[i] = null;
        types[i] = null;
        targets[i] = null;
        origins[i] = null;
        first++;
    }

    /** One user's, organization's or the broadcasts' entries, newest first through {@link #previous}. */
    private static final class Chain {
        final String key;
        /** The map the chain is found in by its key; null for the broadcasts. */
        final Map<String, Chain> index;
        long newest = NONE;

        Chain(String key, Map<String, Chain> index) {
            this.key = key;
            this.index = index;
        }
    }
}
