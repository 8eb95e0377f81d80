package ai.kull.sync.gateway.replay;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device that missed more than its outbound bound (32 KiB here, against a 4 MiB window) resumes: the replay
 * is sent as its socket drains, records published meanwhile follow it in order, and the session is never closed
 * as slow. (The bug: the whole replay was queued at once, went over the bound, and the device was closed with
 * 4002 on every resume, never getting through.)
 */
@QuarkusTest
@TestProfile(PacedReplayTest.SmallOutboundBound.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class PacedReplayTest extends GatewayTest {

    public static class SmallOutboundBound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.session.max-pending-bytes", "32768", "gateway.replay.max-bytes", "4194304");
        }
    }

    /** About 700 bytes a frame, so the missed events are tens of times the bound. */
    private static final String PADDING = "x".repeat(500);
    private static final int MISSED = 3000;
    private static final int DURING_REPLAY = 100;

    @Test
    void aDeviceThatMissedMoreThanItsBoundResumesWithEverythingInOrderAndIsNotClosed() throws Exception {
        String user = unique("paced");
        String cursor;
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            cursor = phone.lastCursor();
        }
        double slowClosesBefore = metric("sync_gateway_sessions_closed_total{code=\"4002\"}");
        try (TestDevice witness = device("/ws", user, "witness", List.of())) {
            publish(user, 1, MISSED); // for the phone only: the witness reads within its bound too
            publishCredit(user, 0);
            witness.balancesUntil(0); // routed by the pod after the others: all of them are in the window
        }

        try (TestDevice phone = resume(user, "phone", cursor)) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            // A device on a slow link: it stops reading mid-replay while new events keep coming.
            phone.pauseReading();
            publish(user, MISSED + 1, MISSED + DURING_REPLAY);
            phone.send("{\"type\":\"PING\"}"); // still alive while not reading (no idle close)
            phone.resumeReading();

            List<Long> expected = new ArrayList<>(LongStream.rangeClosed(1, MISSED).boxed().toList());
            expected.add(0L); // the witness' marker
            expected.addAll(LongStream.rangeClosed(MISSED + 1, MISSED + DURING_REPLAY).boxed().toList());
            assertThat(phone.balancesUntil(MISSED + DURING_REPLAY)).as("every event once, in order")
                    .containsExactlyElementsOf(expected);
            assertThat(phone.next("PENDING_CHECK_COMPLETE")).contains("\"delivered\":" + (MISSED + 1 + DURING_REPLAY));
            publish(user, MISSED + DURING_REPLAY + 1, MISSED + DURING_REPLAY + 1);
            assertThat(phone.balancesUntil(MISSED + DURING_REPLAY + 1)).as("live after the replay")
                    .containsExactly((long) MISSED + DURING_REPLAY + 1);
            assertThat(phone.closeCode).isNotDone();
        }
        assertThat(metric("sync_gateway_sessions_closed_total{code=\"4002\"}")).isEqualTo(slowClosesBefore);
    }

    private static void publish(String user, long firstBalance, long lastBalance) throws Exception {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (long balance = firstBalance; balance <= lastBalance; balance++) {
            sent.add(publisher.publishToDevice(user, "phone", Envelope.of(MessageType.CREDIT_UPDATE,
                    new CreditUpdate(user, balance, 1L, PADDING), user, null)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
}
