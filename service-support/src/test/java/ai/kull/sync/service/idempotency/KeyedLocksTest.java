package ai.kull.sync.service.idempotency;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class KeyedLocksTest {

    private final KeyedLocks locks = new KeyedLocks();

    @Test
    void aSecondHolderOfTheSameKeyWaitsAtMostUntilItsDeadline() throws Exception {
        try (KeyedLocks.Held held = locks.lock(List.of("user-1"), deadlineIn(1000))) {
            assertThat(held).isNotNull();
            long started = System.nanoTime();
            KeyedLocks.Held second = CompletableFuture.supplyAsync(() -> lockQuietly("user-1", 200)).get(5, TimeUnit.SECONDS);
            assertThat(second).isNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(150L, 3000L);
        }
        boolean lockedAfterRelease = CompletableFuture.supplyAsync(() -> {
            KeyedLocks.Held held = lockQuietly("user-1", 200);
            if (held != null) {
                held.close(); // released by the thread that holds it, as the services do
            }
            return held != null;
        }).get(5, TimeUnit.SECONDS);
        assertThat(lockedAfterRelease).isTrue();
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
