package ai.kull.sync.gateway.session;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Per partition slot, an offset: where a cursor resumes, where a session stood when it attached, how far a
 * replay has got. The one shape positions travel in between the cursor, the session and its catch-up (the live
 * path keeps arrays indexed by slot instead, see {@link SessionStream}). Not thread-safe.
 */
public final class Offsets {

    private final TreeMap<Integer, Long> bySlot;

    private Offsets(TreeMap<Integer, Long> bySlot) {
        this.bySlot = bySlot;
    }

    public static Offsets none() {
        return new Offsets(new TreeMap<>());
    }

    public static Offsets of(Map<Integer, Long> bySlot) {
        return new Offsets(new TreeMap<>(bySlot));
    }

    /** {@code at[i]} for {@code slots[i]}. */
    public static Offsets of(int[] slots, long[] at) {
        Offsets offsets = none();
        for (int i = 0; i < slots.length; i++) {
            offsets.put(slots[i], at[i]);
        }
        return offsets;
    }

    public Offsets copy() {
        return new Offsets(new TreeMap<>(bySlot));
    }

    /** The offset of {@code slot}, or -1 when it has none. */
    public long get(int slot) {
        Long at = bySlot.get(slot);
        return at == null ? -1 : at;
    }

    public boolean has(int slot) {
        return bySlot.containsKey(slot);
    }

    public void put(int slot, long offset) {
        bySlot.put(slot, offset);
    }

    /** Sets {@code slot} only when it has no offset yet. */
    public void putIfAbsent(int slot, long offset) {
        bySlot.putIfAbsent(slot, offset);
    }

    /** Every slot of {@code other} (overriding this one's). */
    public void putAll(Offsets other) {
        bySlot.putAll(other.bySlot);
    }

    public boolean isEmpty() {
        return bySlot.isEmpty();
    }

    public int[] slots() {
        return bySlot.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** In slot order. */
    public void forEach(BiConsumer<Integer, Long> action) {
        bySlot.forEach(action);
    }

    /** A read-only view, for code that looks offsets up by slot. */
    public Map<Integer, Long> asMap() {
        return java.util.Collections.unmodifiableMap(bySlot);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Offsets that && bySlot.equals(that.bySlot);
    }

    @Override
    public int hashCode() {
        return bySlot.hashCode();
    }

    @Override
    public String toString() {
        return bySlot.toString();
    }
}
