package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.consume.CatchUpReader;
import jakarta.inject.Singleton;

import java.util.OptionalLong;

/**
 * How far the {@link EventConsumer} has read, from its {@link CatchUpReader}: whether it is alive and has caught
 * up with the log as it stood when it (re)started (what readiness and the upgrade gate ask; false and never
 * polled before the reader exists), its lag, and when it has read everything in the log now (what a resume
 * waits for).
 */
@Singleton
public class ConsumerProgress {

    private volatile CatchUpReader reader;

    void readBy(CatchUpReader reader) {
        this.reader = reader;
    }

    public boolean isCaughtUp() {
        CatchUpReader current = reader;
        return current != null && current.isCaughtUp();
    }

    /** Records of the assigned partitions not read yet (summed at most once a second), 0 before the reader exists. */
    public long lag() {
        CatchUpReader current = reader;
        return current == null ? 0 : current.lag();
    }

    /**
     * Runs {@code callback} on the consumer's thread once every record in the event and presence topics now has
     * been routed (see {@link CatchUpReader#whenReadToEnd}), telling it whether that end was reached (false: given up
     * after a while, e.g. the broker does not answer); at once, with true, before the reader exists.
     */
    public void whenReadToEnd(java.util.function.Consumer<Boolean> callback) {
        CatchUpReader current = reader;
        if (current == null) {
            callback.accept(true);
        } else {
            current.whenReadToEnd(callback);
        }
    }

    /** Milliseconds since the reader's last poll; empty before its first (or before the reader exists). */
    public OptionalLong millisSinceLastPoll() {
        CatchUpReader current = reader;
        return current == null ? OptionalLong.empty() : current.millisSinceLastPoll();
    }
}
