package ai.kull.sync.gateway.admin;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API on one in-process gateway over a real broker: who may use it, what the pod list, a user's
 * sessions, the recently closed ring, a delivery trace and the event lookup answer, and that no answer holds an
 * address, a header or a payload. (Two pods answering together: system-tests' AdminClusterIT.)
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class AdminApiTest extends GatewayTest {

    static final String ADMIN_ROLE = "sync-admin";
    /** A payload marker that must never appear in an admin answer. */
    private static final String SECRET_REASON = "payload-secret-do-not-leak";

    static String adminToken(String... roles) throws Exception {
        // A subject per token: each caller has its own rate limit, so tests do not share one.
        return TestDevice.token(unique("operator"), null, Duration.ofMinutes(5), TestDevice.SECRET, List.of(), List.of(roles));
    }

    private static RequestSpecification as(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token).header("X-Forwarded-For", "203.0.113.9");
    }

    @Test
    void refusesCallersWithoutTheAdminRoleAndRawDevTokens() throws Exception {
        assertThat(RestAssured.get("/api/admin/pods").statusCode()).isEqualTo(401);
        Response dev = RestAssured.given().header("Authorization", "Bearer operator-1:laptop").get("/api/admin/pods");
        assertThat(dev.statusCode()).isEqualTo(401);
        assertThat(dev.jsonPath().getString("reason")).contains("dev token");
        Response forged = RestAssured.given().header("Authorization", "Bearer " + TestDevice.token("operator-1", null,
                Duration.ofMinutes(5), "another-secret-another-secret-0123456", List.of(), List.of(ADMIN_ROLE)))
                .get("/api/admin/pods");
        assertThat(forged.statusCode()).isEqualTo(401);
        Response device = as(token("alice", "phone", List.of())).get("/api/admin/pods");
        assertThat(device.statusCode()).isEqualTo(403);
        assertThat(device.jsonPath().getString("code")).isEqualTo("FORBIDDEN");
        assertThat(as(adminToken("admin")).get("/api/admin/pods").statusCode())
                .as("the device-side 'admin' role is not the admin API's").isEqualTo(403);
        assertThat(as(adminToken(ADMIN_ROLE)).get("/api/admin/users/bad%20id").statusCode()).isEqualTo(400);
    }

    @Test
    void theAdminApiIsInTheOpenApiDocument() {
        assertThat(RestAssured.get("/q/openapi").asString()).contains("/api/admin/pods", "/api/admin/users/{userId}/trace",
                "/api/admin/events/{eventId}", "/api/admin/users/{userId}/disconnect", "adminJwt");
    }

    @Test
    void writeActionsAreRefusedWhileDisabledEvenWithTheWriteRole() throws Exception {
        String user = unique("w");
        for (String token : List.of(adminToken(ADMIN_ROLE), adminToken(ADMIN_ROLE, "sync-admin-write"))) {
            Response disconnect = as(token).contentType(ContentType.JSON).body("{\"code\":4000}")
                    .post("/api/admin/users/" + user + "/disconnect");
            assertThat(disconnect.statusCode()).isEqualTo(403);
            assertThat(disconnect.jsonPath().getString("reason")).contains("disabled");
            assertThat(as(token).post("/api/admin/users/" + user + "/resync").statusCode()).isEqualTo(403);
        }
    }

    @Test
    void listsThisPodWithItsFiguresFromItsHeartbeat() throws Exception {
        String admin = adminToken(ADMIN_ROLE);
        try (TestDevice device = device("/ws", unique("p"), "phone", List.of())) {
            polling().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Response pods = as(admin).get("/api/admin/pods");
                assertThat(pods.statusCode()).isEqualTo(200);
                assertThat(pods.jsonPath().getList("pods.podId", String.class)).contains("test-pod");
                assertThat(pods.jsonPath().getInt("pods.find { it.podId == 'test-pod' }.sessions")).isPositive();
            });
            Response pods = as(admin).get("/api/admin/pods");
            assertThat(pods.jsonPath().getString("pods[0].version")).isNotBlank();
            assertThat(pods.jsonPath().getBoolean("pods[0].draining")).isFalse();
            assertThat(pods.jsonPath().getMap("pods[0].replayWindow")).containsKeys("records", "bytes", "oldestAgeSeconds");
            assertThat(pods.jsonPath().getMap("pods[0]")).containsKeys("uptimeSeconds", "consumerLag", "deliveriesTotal",
                    "lastHeartbeatAt", "startedAt");
        }
    }

    @Test
    void aTraceShowsADeliveryATargetedSkipAndANoSessionCaseAndTheEventLookupFindsTheEvent() throws Exception {
        String admin = adminToken(ADMIN_ROLE);
        String user = unique("t");
        Response started = as(admin).contentType(ContentType.JSON).body("{\"seconds\":60,\"maxEntries\":100}")
                .post("/api/admin/users/" + user + "/trace");
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(started.jsonPath().getLong("expiresAt")).isGreaterThan(System.currentTimeMillis());

        Envelope beforeAnySession = withSecret(user, 1);
        publisher.publishToUser(user, beforeAnySession).get(10, TimeUnit.SECONDS);
        polling().atMost(Duration.ofSeconds(20)).until(() -> outcomes(admin, user).contains("NO_SESSION"));
        try (TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice mac = device("/ws", user, "mac", List.of())) {
            Envelope toPhone = withSecret(user, 2);
            publisher.publishToDevice(user, "phone", toPhone).get(10, TimeUnit.SECONDS);
            assertThat(phone.next("CREDIT_UPDATE")).contains(toPhone.id());

            Response trace = polling().atMost(Duration.ofSeconds(20)).until(
                    () -> as(admin).get("/api/admin/users/" + user + "/trace"),
                    r -> r.jsonPath().getList("entries.outcome", String.class).contains("SKIPPED_TARGET_DEVICE"));
            assertThat(trace.jsonPath().getBoolean("active")).isTrue();
            assertThat(trace.jsonPath().getBoolean("partial")).isFalse();
            String delivered = "entries.find { it.eventId == '" + toPhone.id() + "' && it.outcome == 'DELIVERED' }";
            assertThat(trace.jsonPath().getList(delivered + ".sessionIds", String.class)).hasSize(1);
            assertThat(trace.jsonPath().getString(delivered + ".topic")).isEqualTo("sync.credit-updates");
            assertThat(trace.jsonPath().getString(delivered + ".cursor")).isNotBlank();
            String skipped = "entries.find { it.eventId == '" + toPhone.id() + "' && it.outcome == 'SKIPPED_TARGET_DEVICE' }";
            assertThat(trace.jsonPath().getList(skipped + ".sessionIds", String.class)).hasSize(1);
            assertThat(trace.jsonPath().getString("entries.find { it.outcome == 'NO_SESSION' }.eventId"))
                    .isEqualTo(beforeAnySession.id());
            assertNothingLeaks(trace);

            Response event = as(admin).get("/api/admin/events/" + toPhone.id());
            assertThat(event.statusCode()).isEqualTo(200);
            assertThat(event.jsonPath().getBoolean("found")).isTrue();
            assertThat(event.jsonPath().getString("userId")).isEqualTo(user);
            assertThat(event.jsonPath().getInt("pods.find { it.podId == 'test-pod' }.sessionsReached")).isEqualTo(1);
            assertNothingLeaks(event);
            assertThat(as(admin).get("/api/admin/events/no-such-event").jsonPath().getBoolean("found")).isFalse();

            Response sessions = as(admin).get("/api/admin/users/" + user);
            assertThat(sessions.jsonPath().getList("sessions.deviceId", String.class)).containsExactlyInAnyOrder("phone", "mac");
            assertThat(sessions.jsonPath().getString("sessions.find { it.deviceId == 'phone' }.endpoint")).isEqualTo("/ws");
            assertThat(sessions.jsonPath().getLong("sessions.find { it.deviceId == 'phone' }.lastFrameOutAt")).isPositive();
            assertNothingLeaks(sessions);
        }
    }

    @Test
    void theInspectorShowsEachDevicesAcknowledgedCursorAndTheTraceWhetherADeliveryWasAcknowledged() throws Exception {
        String admin = adminToken(ADMIN_ROLE);
        String user = unique("ack");
        as(admin).contentType(ContentType.JSON).body("{\"seconds\":60}").post("/api/admin/users/" + user + "/trace");
        try (TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice mac = device("/ws", user, "mac", List.of())) {
            Envelope acked = withSecret(user, 1);
            publisher.publishToDevice(user, "phone", acked).get(10, TimeUnit.SECONDS);
            phone.next("CREDIT_UPDATE");
            String cursor = phone.lastCursor();
            phone.send("{\"type\":\"ACK\",\"payload\":{\"cursor\":\"" + cursor + "\"}}");
            Envelope notAcked = withSecret(user, 2);
            publisher.publishToDevice(user, "phone", notAcked).get(10, TimeUnit.SECONDS);
            phone.next("CREDIT_UPDATE", notAcked.id());

            Response sessions = polling().atMost(Duration.ofSeconds(20)).until(
                    () -> as(admin).get("/api/admin/users/" + user),
                    r -> cursor.equals(r.jsonPath().getString("sessions.find { it.deviceId == 'phone' }.ackedCursor")));
            assertThat(sessions.jsonPath().getLong("sessions.find { it.deviceId == 'phone' }.ackedAt")).isPositive();
            assertThat(sessions.jsonPath().getString("sessions.find { it.deviceId == 'mac' }.ackedCursor")).isNull();
            assertThat(sessions.jsonPath().getList("devices.deviceId", String.class)).containsExactly("phone");
            assertThat(sessions.jsonPath().getString("devices[0].ackedCursor")).isEqualTo(cursor);
            assertNothingLeaks(sessions);

            Response trace = as(admin).get("/api/admin/users/" + user + "/trace");
            String entry = "entries.find { it.eventId == '%s' && it.outcome == 'DELIVERED' }.acknowledged";
            assertThat(trace.jsonPath().getBoolean(entry.formatted(acked.id()))).isTrue();
            assertThat(trace.jsonPath().getBoolean(entry.formatted(notAcked.id()))).isFalse();
            assertThat(trace.jsonPath().getString(
                    "entries.find { it.eventId == '" + acked.id() + "' && it.outcome == 'SKIPPED_TARGET_DEVICE' }.acknowledged"))
                    .isNull();
            assertNothingLeaks(trace);
        }
    }

    @Test
    void aSessionClosedForReadingTooSlowlyIsListedWith4002AndItsReason() throws Exception {
        String admin = adminToken(ADMIN_ROLE);
        String user = unique("slow");
        try (TestDevice slow = device("/ws", user, "stalled-phone", List.of())) {
            slow.pauseReading();
            // A stalled reader can still send: it keeps the session from being closed as idle (4 s in tests).
            TestDevice.Running keepAlive = slow.pingEvery(Duration.ofMillis(500));
            String padding = "x".repeat(500);
            long published = 0;
            double slowClosesBefore = metric("sync_gateway_sessions_closed_total{code=\"4002\"}");
            while (metric("sync_gateway_sessions_closed_total{code=\"4002\"}") == slowClosesBefore) {
                assertThat(published).as("events published without the stalled device being closed").isLessThan(100_000);
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    batch.add(publisher.publishToUser(user, Envelope.of(ai.kull.sync.events.MessageType.CREDIT_UPDATE,
                            new ai.kull.sync.events.payload.CreditUpdate(user, ++published, 1L, padding), user, null)));
                }
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            }
            keepAlive.close();
            slow.resumeReading();
            polling().atMost(Duration.ofSeconds(30)).until(() -> countClosed(admin, user) > 0);
            Response answer = as(admin).get("/api/admin/users/" + user);
            assertThat(answer.jsonPath().getInt("recentlyClosed[0].code")).isEqualTo(CloseCodes.SLOW_CONSUMER);
            assertThat(answer.jsonPath().getString("recentlyClosed[0].reason")).isEqualTo("slow consumer: outbound bound exceeded");
            assertThat(answer.jsonPath().getString("recentlyClosed[0].deviceId")).isEqualTo("stalled-phone");
            Response ring = as(admin).get("/api/admin/pods/test-pod/closed?limit=500");
            assertThat(ring.statusCode()).isEqualTo(200);
            assertThat(ring.jsonPath().getList("closed.findAll { it.userId == '" + user + "' }.code", Integer.class))
                    .contains(CloseCodes.SLOW_CONSUMER);
            assertNothingLeaks(ring);
        }
    }

    @Test
    void theDeliveryLatencyHistogramIsScrapedWithBoundedTypeLabels() throws Exception {
        String user = unique("h");
        try (TestDevice device = device("/ws", user, "phone", List.of())) {
            publishCredit(user, 1);
            device.balancesUntil(1);
            publisher.publishToUser(user, Envelope.of(ai.kull.sync.events.MessageType.CREDIT_UPDATE,
                    new ai.kull.sync.events.payload.CreditUpdate(user, 2L, 1L, "x"), user, null)).get(10, TimeUnit.SECONDS);
            device.balancesUntil(2);
            polling().atMost(Duration.ofSeconds(10)).until(() ->
                    metric("sync_gateway_delivery_latency_seconds_count{type=\"CREDIT_UPDATE\"}") >= 2);
            String scrape = RestAssured.get("/q/metrics").asString();
            assertThat(scrape).contains("sync_gateway_delivery_latency_seconds_bucket{type=\"CREDIT_UPDATE\",le=\"5.0E-4\"}")
                    .contains("sync_gateway_delivery_latency_seconds_bucket{type=\"CREDIT_UPDATE\",le=\"10.0\"}")
                    .contains("sync_gateway_delivery_latency_seconds_bucket{type=\"other\",le=\"10.0\"}")
                    .doesNotContain(user);
            assertThat(metric("sync_gateway_delivery_latency_seconds_bucket{type=\"CREDIT_UPDATE\",le=\"+Inf\"}"))
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aCallerOverTheRateLimitGets429WithRetryAfter() throws Exception {
        String admin = TestDevice.token(unique("busy-operator"), null, Duration.ofMinutes(5), TestDevice.SECRET,
                List.of(), List.of(ADMIN_ROLE));
        Response last = null;
        for (int i = 0; i < 100 && (last == null || last.statusCode() == 200); i++) {
            last = as(admin).get("/api/admin/pods");
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.header("Retry-After")).isEqualTo("1");
        assertThat(last.jsonPath().getString("code")).isEqualTo("RATE_LIMITED");
        assertThat(as(adminToken(ADMIN_ROLE)).get("/api/admin/pods").statusCode()).as("another caller").isEqualTo(200);
    }

    /** Polls at 2/s: within an admin caller's rate limit (5/s). */
    private static org.awaitility.core.ConditionFactory polling() {
        return await().pollInterval(Duration.ofMillis(500));
    }

    private static Envelope withSecret(String user, long balance) {
        return Envelope.of(ai.kull.sync.events.MessageType.CREDIT_UPDATE,
                new ai.kull.sync.events.payload.CreditUpdate(user, balance, 1L, SECRET_REASON), user, null);
    }

    private static List<String> outcomes(String admin, String user) {
        return as(admin).get("/api/admin/users/" + user + "/trace").jsonPath().getList("entries.outcome", String.class);
    }

    private static int countClosed(String admin, String user) {
        return as(admin).get("/api/admin/users/" + user).jsonPath().getList("recentlyClosed").size();
    }

    /** The raw body: no address (ours or the forwarded one we sent), no header, no token, no payload. */
    static void assertNothingLeaks(Response response) {
        String body = response.asString();
        assertThat(body).doesNotContain(SECRET_REASON, "newBalance", "127.0.0.1", "localhost", "203.0.113.9",
                "X-Forwarded-For", "Authorization", "Bearer", "eyJ");
    }
}
