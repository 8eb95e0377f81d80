package ai.kull.sync.gateway.routing;

import java.util.Map;
import java.util.TreeSet;

/**
 * A session's replay in progress. What a device missed can be larger than its outbound bound, so it is sent
 * a batch at a time as the socket drains, and the records routed meanwhile join the end of it, until it has
 * caught up with the window's head and the session goes live. Used only under the router's lock.
 */
final class CatchUp {

    /** Window positions collected and not sent yet, oldest first. */
    final TreeSet<Long> queue = new TreeSet<>();
    /** Per slot, the offset after the last record sent or skipped: the cursor this session's frames carry. */
    final Map<Integer, Long> progress;
    /** Every window position up to here has been collected (or was not this session's). */
    long collectedUpTo;
    /** Records sent by this catch-up, reported in PENDING_CHECK_COMPLETE. */
    int sent;
    /**
     * A resume is not complete before the pod has read the log as it stood when the device attached: the pod
     * the device left may have routed records this one has not read yet.
     */
    boolean awaitingLog;
    /** Everything collected was sent, and it waits for {@link #awaitingLog} alone. */
    boolean parked;
    /** {@link System#nanoTime()} when a resuming session attached; 0 for other replays. */
    long resumedAtNanos;

    CatchUp(Map<Integer, Long> progress) {
        this.progress = progress;
    }
}
