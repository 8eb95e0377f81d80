package ai.kull.sync.service.idempotency;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyStoreTest {

    private final MutableClock clock = new MutableClock();

    @Test
    void theSameEventSeenLiveAndFromTheTopicIsKeptOnce() {
        IdempotencyStore store = new IdempotencyStore(10, Duration.ofHours(1), clock);
        Envelope event = event("u1");

        store.record("k", "h", "u1", event, clock.millis());
        store.record("k", "h", "u1", event, clock.millis());

        assertThat(store.find("k")).hasValueSatisfying(entry -> {
            assertThat(entry.requestHash()).isEqualTo("h");
            assertThat(entry.events()).hasSize(1);
            assertThat(entry.events().get(0).recordKey()).isEqualTo("u1");
        });
    }

    @Test
    void keysExpireAfterTheTtlAndOldOnesAreNotRebuilt() {
        IdempotencyStore store = new IdempotencyStore(10, Duration.ofMinutes(5), clock);
        store.record("k", "h", "u1", event("u1"), clock.millis());
        store.record("old", "h", "u1", event("u1"), clock.millis() - Duration.ofMinutes(6).toMillis());

        assertThat(store.find("old")).isEmpty();
        clock.advance(Duration.ofMinutes(6));
        assertThat(store.find("k")).isEmpty();
    }

    @Test
    void theOldestKeysGoFirstBeyondTheBound() {
        IdempotencyStore store = new IdempotencyStore(2, Duration.ofHours(1), clock);
        store.record("a", "h", "u", event("u"), clock.millis());
        store.record("b", "h", "u", event("u"), clock.millis());
        store.record("c", "h", "u", event("u"), clock.millis());

        assertThat(store.size()).isEqualTo(2);
        assertThat(store.find("a")).isEmpty();
        assertThat(store.find("c")).isPresent();
    }

    private static Envelope event(String userId) {
        return Envelope.of(MessageType.CREDIT_UPDATE, new CreditUpdate(userId, 1L, 1L, "r"), userId, null);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
