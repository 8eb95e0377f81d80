package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.consume.CatchUpReader;

/**
 * Whether the consumer is alive and has caught up with the log as it stood when it (re)started: what readiness
 * and the upgrade gate ask, read from the {@link CatchUpReader} (false and never polled before it exists).
 */
public final class ConsumerProgress {

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

    public long lastPollMillis() {
        CatchUpReader current = reader;
        return current == null ? 0 : current.lastPollMillis();
    }
}
