package ai.kull.sync.service.idempotency;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

class KeyedLocksTest {

    private final KeyedLocks locks = new KeyedLocks();

    @Test
    void aSecondHolderOfTheSameKeyGivesUpAtItsDeadline() throws Exception {
        try (KeyedLocks.Held held = locks.lock(List.of("user-1"), deadlineIn(1000))) {
            assertThat(held).isNotNull();
            long started = System.nanoTime();
            KeyedLocks.Held second = CompletableFuture.supplyAsync(() -> lockQuietly("user-1", 200)).get(30, TimeUnit.SECONDS);
            assertThat(second).isNull();
            System.out.printf("[figure] a second holder gave up after %d ms (deadline 200 ms)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
        boolean lockedAfterRelease = CompletableFuture.supplyAsync(() -> {
            KeyedLocks.Held held = lockQuietly("user-1", 200);
            if (held != null) {
                held.close(); // released by the thread that holds it, as the services do
            }
            return held != null;
        }).get(30, TimeUnit.SECONDS);
        assertThat(lockedAfterRelease).isTrue();
    }

    @Test
    void aSecondHolderWaitsAndGetsTheKeyWhenTheFirstReleasesIt() throws Exception {
        AtomicReference<KeyedLocks.Held> second = new AtomicReference<>();
        Thread waiter;
        try (KeyedLocks.Held held = locks.lock(List.of("user-2"), deadlineIn(1000))) {
            assertThat(held).isNotNull();
            waiter = new Thread(() -> {
                KeyedLocks.Held got = lockQuietly("user-2", 60_000);
                second.set(got);
                if (got != null) {
                    got.close();
                }
            });
            waiter.start();
            await("the second holder waits for the key").until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
            assertThat(second.get()).as("nothing while the first holds the key").isNull();
        }
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(second.get()).as("the key, once the first released it").isNotNull();
    }

    private KeyedLocks.Held lockQuietly(String key, long millis) {
        try {
            return locks.lock(List.of(key, "idempotency:" + key), deadlineIn(millis));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
