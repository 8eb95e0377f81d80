package ai.kull.sync.gateway.acks;

import ai.kull.sync.events.EventHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Client message ids applied once, without Quarkus or a broker. */
class MessageIdsTest {

    private final List<Runnable> readToEnd = new ArrayList<>();
    private final List<Boolean> answers = new ArrayList<>();
    private final MessageIds ids = new MessageIds(3, readToEnd::add, answers::add);
    private final AtomicInteger published = new AtomicInteger();

    @Test
    void theEventIdIsTheSameForEveryRetryAndDiffersPerDeviceAndUser() {
        String id = MessageIds.eventId("u", "phone", "m-1");
        assertThat(MessageIds.eventId("u", "phone", "m-1")).isEqualTo(id);
        assertThat(List.of(MessageIds.eventId("u", "mac", "m-1"), MessageIds.eventId("v", "phone", "m-1"),
                MessageIds.eventId("u", "phone", "m-2"))).doesNotContain(id).doesNotHaveDuplicates();
    }

    @Test
    void aNewIdIsPublishedOnceTheLogIsReadAndARetryIsADuplicateWithoutPublishing() throws Exception {
        CompletableFuture<Boolean> first = ids.once("e-1", this::publish);
        assertThat(published).as("waits until the log is read").hasValue(0);
        CompletableFuture<Boolean> concurrent = ids.once("e-1", this::publish);
        readToEnd.forEach(Runnable::run);

        assertThat(first.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(concurrent.get(5, TimeUnit.SECONDS)).as("same id in flight").isTrue();
        assertThat(ids.once("e-1", this::publish).get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(published).hasValue(1);
        assertThat(answers).containsExactlyInAnyOrder(false, true, true);
    }

    @Test
    void anIdAnotherPodStoredIsKnownFromRoutingAndOnlyTheLastOnesAreRemembered() throws Exception {
        ids.routed(record("e-x", true));
        ids.routed(record("e-y", false)); // not device-originated: not remembered
        assertThat(ids.once("e-x", this::publish).get(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> y = ids.once("e-y", this::publish);
        readToEnd.forEach(Runnable::run);
        assertThat(y.get(5, TimeUnit.SECONDS)).isFalse();

        for (String other : List.of("e-a", "e-b", "e-c")) {
            ids.routed(record(other, true));
        }
        readToEnd.clear();
        CompletableFuture<Boolean> evicted = ids.once("e-x", this::publish);
        readToEnd.forEach(Runnable::run);
        assertThat(evicted.get(5, TimeUnit.SECONDS)).as("beyond the bound: published again").isFalse();
    }

    @Test
    void aFailedPublishIsNotRememberedSoTheRetryPublishes() throws Exception {
        CompletableFuture<Boolean> failed = ids.once("e-1", () -> CompletableFuture.failedFuture(new IllegalStateException("down")));
        readToEnd.forEach(Runnable::run);
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("down");

        readToEnd.clear();
        CompletableFuture<Boolean> retry = ids.once("e-1", this::publish);
        readToEnd.forEach(Runnable::run);
        assertThat(retry.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(published).hasValue(1);
    }

    private CompletableFuture<?> publish() {
        published.incrementAndGet();
        return CompletableFuture.completedFuture(null);
    }

    private static ConsumerRecord<String, byte[]> record(String eventId, boolean fromADevice) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("sync.shoot-progress", 0, 0, "u", new byte[0]);
        EventHeaders.write(record.headers(), EventHeaders.EVENT_ID, eventId);
        if (fromADevice) {
            EventHeaders.write(record.headers(), EventHeaders.ORIGIN_DEVICE, "phone");
        }
        return record;
    }
}
