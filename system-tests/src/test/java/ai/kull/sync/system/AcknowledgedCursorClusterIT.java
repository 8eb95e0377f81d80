package ai.kull.sync.system;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.Ids;
import ai.kull.sync.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 across two gateway processes on one real broker: a device acknowledges on pod A and, having lost its
 * cursor, resumes with {@code cursor=acked} on pod B from exactly there; a client message id stored through pod A
 * and retried on pod B is answered duplicate and delivered once.
 */
class AcknowledgedCursorClusterIT {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern WRITTEN = Pattern.compile("(?m)^sync_gateway_acks_written_total(?:\\{[^}]*})? ([0-9.eE+]+)$");

    private static LocalKafkaBroker broker;
    private static EventPublisher publisher;
    private static AppProcess a;
    private static AppProcess b;

    @BeforeAll
    static void startCluster() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        publisher = new EventPublisher(broker.bootstrapServers());
        Map<String, String> settings = Map.of("GATEWAY_ACKS_FLUSH_INTERVAL", "500ms");
        a = AppProcess.start("pod-a", broker.bootstrapServers(), settings);
        b = AppProcess.start("pod-b", broker.bootstrapServers(), settings);
        for (AppProcess pod : List.of(a, b)) {
            pod.awaitReady(READY_TIMEOUT);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        AppProcess.closeAll(a, b, publisher, broker);
    }

    @Test
    void aDeviceAcknowledgesOnOnePodAndResumesFromThereOnAnother() throws Exception {
        String user = Ids.unique("acker");
        try (TestDevice phone = TestDevice.connect(a.ws("/ws?token=" + token(user, "phone"))).awaitEstablished()) {
            publishCredit(user, 1);
            publishCredit(user, 2);
            assertThat(phone.balancesUntil(2)).containsExactly(1L, 2L);
            double before = written(a);
            phone.send("{\"type\":\"ACK\",\"payload\":{\"cursor\":\"" + phone.lastCursor() + "\"}}");
            await("pod A wrote the ACK").until(() -> written(a) > before);
            publishCredit(user, 3);
            assertThat(phone.balancesUntil(3)).containsExactly(3L);
        }
        publishCredit(user, 4);

        try (TestDevice phone = TestDevice.connect(b.ws("/ws?cursor=acked&token=" + token(user, "phone")))) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true", "\"pod\":\"pod-b\"");
            List<String> replayed = new ArrayList<>();
            do {
                replayed.add(phone.next());
            } while (!replayed.get(replayed.size() - 1).contains("PENDING_CHECK_COMPLETE"));
            assertThat(replayed).filteredOn(f -> f.contains("CREDIT_UPDATE")).extracting(f -> balance(f))
                    .containsExactly(3L, 4L);
        }
        // Another user's device of the same id gets nothing of it.
        try (TestDevice other = TestDevice.connect(b.ws("/ws?cursor=acked&token=" + token(Ids.unique("other"), "phone")))) {
            assertThat(other.next("RESYNC_REQUIRED")).contains("no acknowledged cursor for this device");
        }
    }

    @Test
    void aMessageIdStoredThroughOnePodAndRetriedOnAnotherIsADuplicateDeliveredOnce() throws Exception {
        String user = Ids.unique("sender");
        String shoot = Ids.unique("shoot");
        try (TestDevice mac = TestDevice.connect(b.ws("/ws?token=" + token(user, "mac"))).awaitEstablished()) {
            try (TestDevice phone = TestDevice.connect(a.ws("/ws?token=" + token(user, "phone"))).awaitEstablished()) {
                phone.send(progress("m-1", shoot, 1));
                assertThat(phone.next("RECEIVED")).contains("\"id\":\"m-1\"", "\"duplicate\":false");
            }
            // The connection broke before the device saw RECEIVED, say: it retries on the other pod at once.
            try (TestDevice phone = TestDevice.connect(b.ws("/ws?token=" + token(user, "phone"))).awaitEstablished()) {
                phone.send(progress("m-1", shoot, 1));
                assertThat(phone.next("RECEIVED")).contains("\"id\":\"m-1\"", "\"duplicate\":true");
                phone.send(progress("m-2", shoot, 2));
                assertThat(phone.next("RECEIVED")).contains("\"id\":\"m-2\"", "\"duplicate\":false");
            }
            mac.next("SHOOT_PROGRESS", "\"processedCount\":2,");
            assertThat(mac.received).filteredOn(f -> f.contains(shoot) && f.contains("\"processedCount\":1,")).hasSize(1);
        }
    }

    private static double written(AppProcess pod) throws Exception {
        Matcher sample = WRITTEN.matcher(pod.get("/q/metrics", null).body());
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private static String progress(String id, String shoot, int processed) {
        return "{\"type\":\"UPDATE_PROGRESS\",\"id\":\"" + id + "\",\"payload\":{\"shootId\":\"" + shoot
                + "\",\"status\":\"processing\",\"processedCount\":" + processed
                + ",\"totalCount\":10,\"provider\":\"Replicate\"}}";
    }

    private static long balance(String frame) {
        Matcher balance = Pattern.compile("\"newBalance\":(\\d+)").matcher(frame);
        assertThat(balance.find()).isTrue();
        return Long.parseLong(balance.group(1));
    }

    private static String token(String userId, String deviceId) throws Exception {
        return TestDevice.token(userId, deviceId, Duration.ofMinutes(10), TestDevice.SECRET, List.of());
    }

    private static void publishCredit(String userId, long balance) throws Exception {
        publisher.publishToUser(userId, Envelope.of(MessageType.CREDIT_UPDATE,
                new CreditUpdate(userId, balance, 1L, "test"), userId, null)).get(10, TimeUnit.SECONDS);
    }
}
