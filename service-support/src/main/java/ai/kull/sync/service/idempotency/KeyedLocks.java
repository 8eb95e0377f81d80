package ai.kull.sync.service.idempotency;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One request at a time per key (an Idempotency-Key, a user whose version is checked), with a bounded wait.
 * Striped: a fixed set of locks chosen by hash, so memory stays constant; two keys sharing a stripe only
 * wait for each other. Stripes are taken in index order, so requests locking several keys cannot deadlock.
 */
public final class KeyedLocks {

    private static final int STRIPES = 1024;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    public KeyedLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The held locks; release with {@link Held#close()}. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Locks every key, waiting until {@code deadlineNanos} ({@link System#nanoTime()} based) at most.
     *
     * @return the held locks, or null when the wait ran out (nothing is held then)
     */
    public Held lock(Collection<String> keys, long deadlineNanos) throws InterruptedException {
        List<ReentrantLock> taken = new ArrayList<>();
        for (int stripe : keys.stream().mapToInt(KeyedLocks::stripe).distinct().sorted().toArray()) {
            ReentrantLock lock = locks[stripe];
            if (!lock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                taken.forEach(ReentrantLock::unlock);
                return null;
            }
            taken.add(lock);
        }
        return () -> taken.forEach(ReentrantLock::unlock);
    }

    private static int stripe(String key) {
        return Math.floorMod(key.hashCode() * 0x9E3779B9, STRIPES);
    }
}
