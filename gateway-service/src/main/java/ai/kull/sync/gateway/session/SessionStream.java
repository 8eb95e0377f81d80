package ai.kull.sync.gateway.session;

import java.util.Arrays;

/**
 * Where one session stands in the event log: the partition slots it receives from, and, when it resumed,
 * the client's cursor. Used only under the router's lock.
 */
public final class SessionStream {

    private int[] slots;
    /** The resumed-from cursor: records below it were delivered by an earlier session, maybe on another pod. */
    private Offsets floor;
    /**
     * The floor by slot number (0: none), or null when the session did not resume: what {@link #seenBefore}
     * reads for every record, where a map lookup per session per record cost 12% of the router's thread.
     */
    private long[] floorBySlot;
    /**
     * Positions when the session attached (GET_PENDING replays what lies before them): the slots then, usually
     * the very {@link #slots} array, and a position per slot. Arrays, not a map, because every idle session
     * holds them (a map of boxed positions cost about 0.3 KiB a session, issue 15) and only GET_PENDING reads them.
     */
    private int[] startSlots = new int[0];
    private long[] startAt = new long[0];

    public SessionStream(int[] slots, Offsets floor) {
        this.slots = slots;
        this.floor = floor == null ? Offsets.none() : floor.copy();
        int[] floorSlots = this.floor.slots();
        int slotsUpTo = floorSlots.length == 0 ? 0 : floorSlots[floorSlots.length - 1] + 1;
        this.floorBySlot = slotsUpTo == 0 ? null : new long[slotsUpTo];
        this.floor.forEach((slot, below) -> {
            if (slot >= 0) {
                floorBySlot[slot] = below;
            }
        });
    }

    public int[] slots() {
        return slots;
    }

    public boolean reads(int slot) {
        return Arrays.binarySearch(slots, slot) >= 0;
    }

    public void addSlot(int slot) {
        if (slot >= 0 && !reads(slot)) {
            int[] more = Arrays.copyOf(slots, slots.length + 1);
            more[slots.length] = slot;
            Arrays.sort(more);
            slots = more;
        }
    }

    /** Whether the record at {@code offset} of {@code slot} was already delivered before the resume. */
    public boolean seenBefore(int slot, long offset) {
        return offset < floorOf(slot);
    }

    private long floorOf(int slot) {
        return floorBySlot != null && slot < floorBySlot.length ? floorBySlot[slot] : 0;
    }

    /** The resumed-from cursor was not honoured (RESYNC_REQUIRED): the session sees every record from now on. */
    public void forgetFloor() {
        floor = Offsets.none();
        floorBySlot = null;
    }

    /** The resumed-from cursor's offsets (none when the session did not resume); not to be changed. */
    public Offsets floor() {
        return floor;
    }

    public Offsets start() {
        return Offsets.of(startSlots, startAt);
    }

    public void started(Offsets positions) {
        int[] keys = positions.slots();
        // slots is replaced, never changed in place, so the start may share it
        startSlots = Arrays.equals(keys, slots) ? slots : keys;
        startAt = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            startAt[i] = positions.get(keys[i]);
        }
    }

    /** The session's position: the later of what was routed here and what it had seen before resuming. */
    public long[] positions(long[] routed) {
        long[] positions = new long[slots.length];
        for (int i = 0; i < slots.length; i++) {
            positions[i] = Math.max(routed[slots[i]], floorOf(slots[i]));
        }
        return positions;
    }

    public Offsets positionOffsets(long[] routed) {
        return Offsets.of(slots, positions(routed));
    }
}
