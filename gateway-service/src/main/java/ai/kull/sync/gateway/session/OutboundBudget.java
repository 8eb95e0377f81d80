package ai.kull.sync.gateway.session;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bytes of frames handed to one session's socket whose write has not completed yet. WebSockets Next
 * exposes no writeQueueFull: a write completes when Netty has handed it to the kernel, so while the device
 * does not read (its TCP window is full), completions stop and this grows. Lock-free, because the router's
 * thread reserves here for every delivery and must never wait on a slow session.
 */
public final class OutboundBudget {

    private final AtomicLong pending = new AtomicLong();
    /** Run once when pending falls to {@link #drainedAt}; null when nobody waits. */
    private final AtomicReference<Runnable> whenDrained = new AtomicReference<>();
    private volatile long drainedAt = -1;

    /**
     * Reserves {@code bytes} unless that would take the pending total above {@code max}. A frame larger than
     * {@code max} on its own still goes out when nothing else is pending, so a big frame alone never closes
     * a device that keeps up.
     *
     * @return false when the frame must not be queued: the session is too far behind
     */
    public boolean tryReserve(long bytes, long max) {
        while (true) {
            long current = pending.get();
            if (current > 0 && current + bytes > max) {
                return false;
            }
            if (pending.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    /** A reserved frame was written, or failed: it no longer occupies the socket's queue. */
    public void release(long bytes) {
        if (pending.addAndGet(-bytes) <= drainedAt && whenDrained.get() != null) {
            Runnable task = whenDrained.getAndSet(null);
            if (task != null) {
                task.run();
            }
        }
    }

    /**
     * Arranges for {@code task} to run once, on the thread that completes the write taking pending to
     * {@code atMost} or below; how a replay larger than the bound is paced by the socket instead of closing it.
     *
     * @return false, with nothing arranged, when pending is already that low: the caller goes on itself
     */
    public boolean whenAtMost(long atMost, Runnable task) {
        drainedAt = atMost;
        whenDrained.set(task);
        // A write completing between the set and here may have missed the task: take it back if still ours.
        return pending.get() > atMost || !whenDrained.compareAndSet(task, null);
    }

    public long pending() {
        return pending.get();
    }
}
