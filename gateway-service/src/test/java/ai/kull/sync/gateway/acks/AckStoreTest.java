package ai.kull.sync.gateway.acks;

import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The ack store and the coalescing writer without Quarkus or a broker. */
class AckStoreTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final Duration RETENTION = Duration.ofDays(7);

    private final AckStore store = new AckStore(RETENTION);
    private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());

    @Test
    void theNewerAckOfADeviceWinsInWhateverOrderRecordsArrive() {
        store.apply("u/phone", value("u", "phone", "e~0.5", NOW - 10), NOW);
        store.apply("u/phone", value("u", "phone", "e~0.3", NOW - 20), NOW);
        store.apply("u/mac", value("u", "mac", "e~0.1", NOW - 5), NOW);

        assertThat(store.find("u", "phone", NOW)).get().extracting(AckedCursor::cursor).isEqualTo("e~0.5");
        assertThat(store.ofUser("u", NOW)).extracting(AckedCursor::deviceId).containsExactly("mac", "phone");
        assertThat(store.find("v", "phone", NOW)).isEmpty();
    }

    @Test
    void aTombstoneForgetsTheDeviceAndMalformedRecordsAreSkipped() {
        store.apply("u/phone", value("u", "phone", "e~0.5", NOW), NOW);
        store.apply("u/phone", "{not json".getBytes(StandardCharsets.UTF_8), NOW);
        assertThat(store.find("u", "phone", NOW)).isPresent();

        store.apply("u/phone", null, NOW);
        assertThat(store.find("u", "phone", NOW)).isEmpty();
    }

    @Test
    void cursorsOlderThanTheRetentionAreDroppedWhenReadAndWhenTheyAge() {
        long retention = RETENTION.toMillis();
        store.apply("u/old", value("u", "old", "e~0.1", NOW - retention - 1), NOW);
        store.apply("u/young", value("u", "young", "e~0.2", NOW - retention + 1_000), NOW);
        assertThat(store.find("u", "old", NOW)).isEmpty();
        assertThat(store.find("u", "young", NOW)).isPresent();

        assertThat(store.find("u", "young", NOW + 2_000)).as("aged past the retention").isEmpty();
        store.dropExpired(NOW + 2_000);
        assertThat(store.devices()).isZero();
    }

    @Test
    void theWriterWritesTheLatestAckOfADeviceOncePerFlushAndOnceMoreOnClose() {
        List<String> written = new ArrayList<>();
        AckWriter writer = new AckWriter((key, value) -> {
            written.add(key + "=" + new String(value, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }, store, metrics);

        writer.ack("u", "phone", "e~0.1", NOW);
        writer.ack("u", "phone", "e~0.2", NOW + 1);
        writer.ack("u", "mac", "e~0.7", NOW + 2);
        writer.flush();
        assertThat(written).hasSize(2).anyMatch(w -> w.startsWith("u/phone=") && w.contains("\"cursor\":\"e~0.2\""))
                .anyMatch(w -> w.startsWith("u/mac="));
        assertThat(store.find("u", "phone", NOW + 3)).get().extracting(AckedCursor::cursor).isEqualTo("e~0.2");

        writer.flush();
        writer.closed("u", "phone");
        assertThat(written).as("nothing new acknowledged: nothing written").hasSize(2);

        writer.ack("u", "phone", "e~0.3", NOW + 4);
        writer.closed("u", "phone");
        assertThat(written).hasSize(3).last().asString().contains("\"cursor\":\"e~0.3\"");
        writer.flush();
        assertThat(written).as("written on close, not again at the flush").hasSize(3);
    }

    @Test
    void aFailedWriteIsRetriedAtTheNextFlushUnlessANewerAckReplacedIt() {
        List<String> written = new ArrayList<>();
        boolean[] fail = {true};
        AckWriter writer = new AckWriter((key, value) -> {
            if (fail[0]) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
            }
            written.add(new String(value, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }, store, metrics);

        writer.ack("u", "phone", "e~0.1", NOW);
        writer.flush();
        assertThat(writer.pending()).isEqualTo(1);
        fail[0] = false;
        writer.flush();
        assertThat(written).singleElement().asString().contains("e~0.1");

        fail[0] = true;
        writer.ack("u", "phone", "e~0.2", NOW + 1);
        writer.flush();
        writer.ack("u", "phone", "e~0.3", NOW + 2);
        fail[0] = false;
        writer.flush();
        assertThat(written).hasSize(2).last().asString().contains("e~0.3");
    }

    private static byte[] value(String user, String device, String cursor, long ackedAt) {
        return AckStore.encode(new AckedCursor(user, device, cursor, ackedAt));
    }
}
