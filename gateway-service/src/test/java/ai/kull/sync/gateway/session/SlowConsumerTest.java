package ai.kull.sync.gateway.session;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-session outbound bound (gateway.session.max-pending-bytes, 256 KiB in tests): a device that stops
 * reading makes the gateway's writes to it stay pending once the TCP buffers between them are full; past the
 * bound it is closed with 4002, while a device of the same user that reads receives every event.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class SlowConsumerTest extends GatewayTest {

    /** The reason field at its maximum, so each event is ~700 bytes and the buffers fill with few records. */
    private static final String PADDING = "x".repeat(500);
    private static final long MAX_PUBLISHED_BYTES = 64L << 20;

    @Test
    void aDeviceThatStopsReadingIsClosedWith4002AndItsUsersOtherDeviceGetsEverything() throws Exception {
        String user = unique("slow");
        try (TestDevice slow = device("/ws", user, "stalled-phone", List.of());
             TestDevice fast = device("/ws", user, "mac", List.of())) {
            slow.next("CONNECTION_ESTABLISHED");
            fast.next("CONNECTION_ESTABLISHED");
            slow.pauseReading();
            double slowClosesBefore = metric("sync_gateway_sessions_closed_total{code=\"4002\"}");
            // A stalled reader can still send: it keeps the session from being closed as idle (4 s in tests).
            TestDevice.Running keepAlive = slow.pingEvery(Duration.ofMillis(500));

            long published = 0;
            long bytes = 0;
            double maxPending = 0;
            while (metric("sync_gateway_sessions_closed_total{code=\"4002\"}") == slowClosesBefore) {
                assertThat(bytes).as("published without the stalled device being closed").isLessThan(MAX_PUBLISHED_BYTES);
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    Envelope event = Envelope.of(MessageType.CREDIT_UPDATE,
                            new CreditUpdate(user, ++published, 1L, PADDING), user, null);
                    batch.add(publisher.publishToUser(user, event));
                    bytes += 700;
                }
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                maxPending = Math.max(maxPending, metric("sync_gateway_outbound_pending_bytes"));
            }
            long marker = ++published;
            publishCredit(user, marker);

            assertThat(fast.balancesUntil(marker)).as("the reading device got every event in order")
                    .hasSize((int) marker).isSorted().doesNotHaveDuplicates();
            slow.resumeReading();
            assertThat(slow.closeCode.get(20, TimeUnit.SECONDS)).isEqualTo(CloseCodes.SLOW_CONSUMER);
            long slowGot = slow.received.stream().filter(frame -> frame.contains("CREDIT_UPDATE")).count();
            assertThat(slowGot).as("the stalled device got only what was queued before its bound").isLessThan(marker);
            assertThat(metric("sync_gateway_drops_total{reason=\"slow-consumer\"}")).isPositive();
            System.out.printf("stalled device closed with 4002 after ~%d KiB published to it (%d events); it had "
                    + "received %d; pending bytes of all sessions peaked at >= %.0f KiB (bound 256 KiB per session)%n",
                    bytes >> 10, published, slowGot, maxPending / 1024);
            keepAlive.close();
        }
    }
}
