package ai.kull.sync.gateway.routing;

import java.util.Arrays;

/**
 * The frame last written for the record being routed and the cursor in it. Profiling a fan-out to ten
 * devices per user showed encoding one cursor and frame per session as the router's largest cost; the
 * devices of one user nearly always stand at the same position, so their frames are the same text.
 */
final class LastFrame {

    private int[] slots;
    private long[] at;
    private String frame;

    /** The frame remembered, valid when {@link #hasCursor} says so. */
    String frame() {
        return frame;
    }

    void clear() {
        frame = null;
    }

    boolean hasCursor(int[] slots, long[] at) {
        return frame != null && Arrays.equals(this.slots, slots) && Arrays.equals(this.at, at);
    }

    void remember(int[] slots, long[] at, String frame) {
        this.slots = slots;
        this.at = at;
        this.frame = frame;
    }
}
