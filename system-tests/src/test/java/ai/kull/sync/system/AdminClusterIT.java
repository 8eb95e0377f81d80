package ai.kull.sync.system;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.TestDevice;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API across two gateway processes on one broker: any pod answers for the whole cluster (the pods ask
 * each other over the gateway-internal topic), a trace records on every pod, write actions need their role and
 * leave an audit line, and no answer carries an address, header, token or payload.
 */
class AdminClusterIT {

    private static final Map<String, String> SETTINGS = Map.of(
            "GATEWAY_PRESENCE_POD_HEARTBEAT_INTERVAL", "1s",
            "GATEWAY_PRESENCE_POD_TIMEOUT", "3s",
            "GATEWAY_DRAIN_PERIOD", "1s",
            "GATEWAY_ADMIN_WRITE_ENABLED", "true");
    private static final String SECRET_REASON = "payload-secret-do-not-leak";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalKafkaBroker broker;
    private static EventPublisher publisher;
    private static AppProcess a;
    private static AppProcess b;
    private static final List<TestDevice> devices = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        publisher = new EventPublisher(broker.bootstrapServers());
        a = AppProcess.start("pod-a", broker.bootstrapServers(), SETTINGS);
        b = AppProcess.start("pod-b", broker.bootstrapServers(), SETTINGS);
        a.awaitReady(Duration.ofSeconds(90));
        b.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        devices.forEach(TestDevice::close);
        AppProcess.closeAll(a, b, publisher, broker);
    }

    @Test
    void anyPodListsAUsersDevicesOnBothPodsAndEveryPod() throws Exception {
        String admin = admin("sync-admin");
        String user = unique("alice");
        connect(a, user, "phone");
        connect(b, user, "mac");

        for (AppProcess asked : List.of(a, b)) {
            JsonNode answer = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> json(asked.get("/api/admin/users/" + user, admin)), body -> body.get("sessions").size() == 2);
            assertThat(answer.get("partial").asBoolean()).isFalse();
            assertThat(texts(answer.get("podsAnswered"))).containsExactly("pod-a", "pod-b");
            assertThat(texts(answer.get("sessions"), "podId")).containsExactlyInAnyOrder("pod-a", "pod-b");
            assertThat(texts(answer.get("sessions"), "deviceId")).containsExactlyInAnyOrder("phone", "mac");
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> json(b.get("/api/admin/pods", admin)).get("pods").size() == 2);
        HttpResponse<String> pods = b.get("/api/admin/pods", admin);
        assertThat(texts(json(pods).get("pods"), "podId")).containsExactly("pod-a", "pod-b");
        assertNothingLeaks(pods.body());
    }

    @Test
    void aTraceRecordsOnEveryPodDeliveredSkippedAndNoSession() throws Exception {
        String admin = admin("sync-admin");
        String user = unique("tom");
        TestDevice phone = connect(a, user, "phone");
        connect(a, user, "tablet");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> json(b.get("/api/admin/users/" + user, admin)).get("sessions").size() == 2);
        HttpResponse<String> started = b.post("/api/admin/users/" + user + "/trace", "{\"seconds\":60}", bearer(admin));
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(json(started).get("podsAnswered").size()).isEqualTo(2);

        Envelope event = Envelope.of(MessageType.CREDIT_UPDATE, new CreditUpdate(user, 5L, 5L, SECRET_REASON), user, null);
        publisher.publishToDevice(user, "phone", event).get(10, TimeUnit.SECONDS);
        assertThat(phone.next("CREDIT_UPDATE")).contains(event.id());

        JsonNode trace = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> json(a.get("/api/admin/users/" + user + "/trace", admin)), body -> body.get("entries").size() >= 3);
        List<String> outcomes = new ArrayList<>();
        trace.get("entries").forEach(entry -> outcomes.add(entry.get("podId").asText() + " " + entry.get("outcome").asText()));
        assertThat(outcomes).containsExactlyInAnyOrder("pod-a DELIVERED", "pod-a SKIPPED_TARGET_DEVICE", "pod-b NO_SESSION");
        assertNothingLeaks(a.get("/api/admin/users/" + user + "/trace", admin).body());

        JsonNode found = json(b.get("/api/admin/events/" + event.id(), admin));
        assertThat(found.get("found").asBoolean()).isTrue();
        assertThat(found.get("pods").toString()).contains("{\"podId\":\"pod-a\",\"sessionsReached\":1}")
                .contains("{\"podId\":\"pod-b\",\"sessionsReached\":0}");
    }

    @Test
    void writeActionsNeedTheWriteRoleActOnEveryPodAndLeaveAnAuditLine() throws Exception {
        String user = unique("wanda");
        TestDevice phone = connect(a, user, "phone");
        TestDevice mac = connect(b, user, "mac");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> json(a.get("/api/admin/users/" + user, admin("sync-admin"))).get("sessions").size() == 2);

        HttpResponse<String> readOnly = a.post("/api/admin/users/" + user + "/disconnect", "{\"code\":4000}",
                bearer(admin("sync-admin")));
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.body()).contains("write role");
        String writer = admin("sync-admin", "sync-admin-write");
        assertThat(a.post("/api/admin/users/" + user + "/disconnect", "{\"code\":1000}", bearer(writer)).statusCode())
                .as("a code that does not tell the device to reconnect").isEqualTo(400);

        HttpResponse<String> done = a.post("/api/admin/users/" + user + "/disconnect", "{\"code\":4000}", bearer(writer));
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json(done).get("sessionsAffected").asInt()).isEqualTo(2);
        assertThat(phone.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(mac.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(a.log).lines()
                .anyMatch(line -> line.contains("admin action=disconnect") && line.contains("user=" + user)
                        && line.contains("code=4000") && line.contains("sessions=2")));

        JsonNode closed = json(b.get("/api/admin/users/" + user, writer)).get("recentlyClosed");
        assertThat(texts(closed, "code")).containsExactly("4000", "4000");
    }

    private static TestDevice connect(AppProcess pod, String user, String device) throws Exception {
        TestDevice connected = TestDevice.connect(pod.ws("/ws?token=" + TestDevice.token(user, device,
                Duration.ofMinutes(10), TestDevice.SECRET, List.of()))).awaitEstablished();
        devices.add(connected);
        return connected;
    }

    private static String admin(String... roles) throws Exception {
        return TestDevice.token(unique("operator"), null, Duration.ofMinutes(10), TestDevice.SECRET, List.of(),
                List.of(roles));
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.get(field).asText()));
        return texts;
    }

    private static void assertNothingLeaks(String body) {
        assertThat(body).doesNotContain(SECRET_REASON, "newBalance", "127.0.0.1", "localhost", "Bearer", "eyJ",
                "Authorization");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
