package ai.kull.sync.gateway.sse;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import ai.kull.sync.testing.Waits;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SSE fallback for networks that break WebSocket upgrades, with Java's HTTP client: the same gate, the cursor
 * as Last-Event-ID, client frames POSTed with their answers in the response, the same bounds as a WebSocket.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class SseFallbackTest extends GatewayTest {

    @Test
    void aStreamWithoutAValidTokenOrForAnotherUserIsRefusedWithTheCloseCodeAWebSocketWouldGet() throws Exception {
        HttpResponse<InputStream> missing = SseDevice.open(base, "/sse", null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(new String(missing.body().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("{\"code\":" + CloseCodes.UPGRADE_UNAUTHORIZED + ",\"reason\":\"");

        HttpResponse<InputStream> forged = SseDevice.open(base, "/sse", token("u", "d", List.of()) + "x", null);
        assertThat(forged.statusCode()).isEqualTo(401);
        forged.body().close();

        HttpResponse<InputStream> otherUser = SseDevice.open(base, "/sse/user/someone-else", token("me", "d", List.of()), null);
        assertThat(otherUser.statusCode()).isEqualTo(403);
        assertThat(new String(otherUser.body().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"code\":4403,\"reason\":\"path userId does not match the token\"}");
        assertThat(metric("sync_gateway_upgrades_rejected_total{status=\"401\"}")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void eventsCarryTheirCursorAsTheEventIdAndAStreamResumesFromLastEventId() throws Exception {
        String user = unique("sse-resume");
        String token = token(user, "laptop", List.of());
        String lastId;
        try (SseDevice device = SseDevice.connect(base, "/sse", token, null).awaitEstablished()) {
            assertThat(metric("sync_gateway_sse_sessions")).isPositive();
            publishCredit(user, 1);
            publishCredit(user, 2);
            SseDevice.Event first = device.next("CREDIT_UPDATE");
            SseDevice.Event second = device.next("CREDIT_UPDATE");
            assertThat(first.data()).contains("\"newBalance\":1");
            assertThat(second.data()).contains("\"newBalance\":2").endsWith("\"cursor\":\"" + second.id() + "\"}");
            lastId = second.id();
        }
        publishCredit(user, 3);
        publishCredit(user, 4);
        try (SseDevice back = SseDevice.connect(base, "/sse", token, lastId)) {
            assertThat(back.next("CONNECTION_ESTABLISHED").data()).contains("\"resumed\":true");
            List<String> balances = new ArrayList<>();
            balances.add(back.next("CREDIT_UPDATE").data());
            balances.add(back.next("CREDIT_UPDATE").data());
            assertThat(balances).satisfiesExactly(
                    three -> assertThat(three).contains("\"newBalance\":3"),
                    four -> assertThat(four).contains("\"newBalance\":4"));
            assertThat(back.received).noneMatch(event -> event.data().contains("\"newBalance\":2"));
        }
    }

    @Test
    void postedFramesAreAnsweredInTheResponseAndProgressReachesTheUsersOtherDevices() throws Exception {
        String user = unique("sse-post");
        try (SseDevice device = SseDevice.connect(base, "/sse", token(user, "laptop", List.of()), null).awaitEstablished();
             TestDevice phone = device("/ws", user, "phone", List.of())) {
            publishCredit(user, 7);
            String cursor = device.next("CREDIT_UPDATE").id();

            HttpResponse<String> ack = device.post("{\"type\":\"ACK\",\"id\":\"a-1\",\"payload\":{\"cursor\":\"" + cursor + "\"}}");
            assertThat(ack.statusCode()).isEqualTo(200);
            assertThat(ack.body()).contains("\"type\":\"RECEIVED\"").contains("\"id\":\"a-1\"");

            HttpResponse<String> progress = device.post(progress("p-1", "s1", 4));
            assertThat(progress.statusCode()).as(progress.body()).isEqualTo(200);
            assertThat(progress.body()).contains("\"type\":\"RECEIVED\"").contains("\"id\":\"p-1\"");
            assertThat(phone.next("SHOOT_PROGRESS")).contains("\"shootId\":\"s1\"");
            HttpResponse<String> again = device.post(progress("p-1", "s1", 4));
            assertThat(again.body()).as("the same id again is applied once").contains("\"duplicate\":true");

            HttpResponse<String> ping = device.post("{\"type\":\"PING\"}");
            assertThat(ping.statusCode()).isEqualTo(200);
            assertThat(ping.body()).contains("\"type\":\"PONG\"");
            assertThat(device.post("{\"type\":\"GET_PENDING\",\"payload\":{}}").statusCode()).isEqualTo(204);
            device.next("PENDING_CHECK_COMPLETE");
        }
    }

    @Test
    void badPostsAreAnsweredWithAStatusAndAReason() throws Exception {
        String user = unique("sse-bad");
        String token = token(user, "laptop", List.of());
        try (SseDevice device = SseDevice.connect(base, "/sse", token, null).awaitEstablished()) {
            HttpResponse<String> garbage = device.post("not json");
            assertThat(garbage.statusCode()).isEqualTo(400);
            assertThat(garbage.body()).contains("\"type\":\"ERROR\"").contains("\"code\":\"MALFORMED_JSON\"").contains("\"reason\":");

            HttpResponse<String> invalid = device.post("{\"type\":\"ACK\",\"payload\":{\"cursor\":\"nonsense\"}}");
            assertThat(invalid.statusCode()).isEqualTo(400);
            assertThat(invalid.body()).contains("\"code\":\"INVALID_FIELD\"");

            HttpResponse<String> forbidden = device.post("{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"not-mine\"}}");
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(forbidden.body()).contains("\"code\":\"FORBIDDEN\"");

            HttpResponse<String> tooBig = device.post("{\"type\":\"PING\",\"x\":\"" + "x".repeat(70_000) + "\"}");
            assertThat(tooBig.statusCode()).isEqualTo(413);
            assertThat(tooBig.body()).startsWith("{\"code\":1009,\"reason\":\"message too big");

            assertThat(device.post("{\"type\":\"PING\"}", null, device.sessionId()).statusCode()).isEqualTo(401);
            HttpResponse<String> otherDevice = device.post("{\"type\":\"PING\"}", token(user, "other", List.of()), device.sessionId());
            assertThat(otherDevice.statusCode()).as("another device's token").isEqualTo(404);
            assertThat(otherDevice.body()).contains("reconnect");
            assertThat(device.post("{\"type\":\"PING\"}", token, "no-such-session").statusCode()).isEqualTo(404);

            assertThat(device.post("{\"type\":\"PING\"}").statusCode()).as("the session is still usable").isEqualTo(200);
        }
    }

    @Test
    void aSessionPostingTooFastIsAnsweredRateLimitedThenClosedWith4003() throws Exception {
        String user = unique("sse-fast");
        try (SseDevice device = SseDevice.connect(base, "/sse", token(user, "laptop", List.of()), null).awaitEstablished()) {
            List<Integer> statuses = new ArrayList<>();
            while (!device.ended.isDone() && statuses.size() < 500) {
                statuses.add(device.post("{\"type\":\"PING\"}").statusCode());
            }
            assertThat(statuses).contains(200, 429);
            assertThat(device.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.RATE_LIMITED);
            assertThat(device.closeReason.get()).isEqualTo("too many messages, reconnect later");
        }
    }

    @Test
    void aUserOverTheSessionBoundIsRefused429AndAClosedStreamFreesItsSlot() throws Exception {
        String user = unique("sse-many");
        String token = token(user, "laptop", List.of());
        List<SseDevice> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // %test.gateway.session.max-per-user=4
                open.add(SseDevice.connect(base, "/sse", token, null).awaitEstablished());
            }
            HttpResponse<InputStream> fifth = SseDevice.open(base, "/sse", token, null);
            assertThat(fifth.statusCode()).isEqualTo(429);
            assertThat(fifth.headers().firstValue("Retry-After")).hasValue("10");
            assertThat(new String(fifth.body().readAllBytes(), StandardCharsets.UTF_8)).startsWith("{\"code\":4429,\"reason\":\"retry-after=10; ");
            open.remove(0).close();
            Waits.await("the closed stream's slot is free").until(() -> {
                HttpResponse<InputStream> again = SseDevice.open(base, "/sse", token, null);
                again.body().close();
                return again.statusCode() == 200;
            });
        } finally {
            for (SseDevice device : open) {
                device.close();
            }
        }
    }

    @Test
    void aStreamWhoseDevicePostsNothingForTheIdleTimeoutIsClosedWith4000() throws Exception {
        String user = unique("sse-idle");
        try (SseDevice quiet = SseDevice.connect(base, "/sse", token(user, "laptop", List.of()), null).awaitEstablished()) {
            // %test.gateway.session.idle-timeout=4s; heartbeat comments from the server do not count as life
            assertThat(quiet.closeCode.get(20, TimeUnit.SECONDS)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
            assertThat(quiet.closeReason.get()).isEqualTo("no pong within the idle timeout");
        }
    }

    @Test
    void aDeviceThatStopsReadingItsStreamIsClosedWith4002() throws Exception {
        String user = unique("sse-slow");
        String token = token(user, "stalled", List.of());
        HttpResponse<InputStream> stream = SseDevice.open(base, "/sse", token, null);
        InputStream body = stream.body();
        StringBuilder head = new StringBuilder();
        java.util.regex.Matcher id;
        do {
            head.append((char) body.read());
            id = java.util.regex.Pattern.compile("\"connectionId\":\"([^\"]+)\"").matcher(head);
        } while (!id.find());
        String session = id.group(1);
        double before = metric("sync_gateway_sessions_closed_total{code=\"4002\"}");
        String padding = "x".repeat(500);
        long published = 0;
        while (metric("sync_gateway_sessions_closed_total{code=\"4002\"}") == before) {
            assertThat(published).as("published without the stalled stream being closed").isLessThan(100_000);
            // The device still posts (so it is not idle), it just does not read.
            SseDevice.post(base, token, session, "{\"type\":\"PING\"}");
            List<java.util.concurrent.CompletableFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(publisher.publishToUser(user, ai.kull.sync.events.Envelope.of(ai.kull.sync.events.MessageType.CREDIT_UPDATE,
                        new ai.kull.sync.events.payload.CreditUpdate(user, ++published, 1L, padding), user, null)));
            }
            java.util.concurrent.CompletableFuture.allOf(batch.toArray(java.util.concurrent.CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(rest).as("what was queued, then the close event").endsWith(
                "event: close\ndata: {\"code\":4002,\"reason\":\"reading too slowly, reconnect and resume\"}\n\n");
        System.out.printf("stalled SSE stream closed with 4002 after %d events (~%d KiB) published to it%n",
                published, published * 700 / 1024);
    }

    @Test
    void aPostSentTheMomentConnectionEstablishedArrivesFindsItsSession() throws Exception {
        String user = unique("sse-eager");
        String token = token(user, "laptop", List.of());
        for (int attempt = 0; attempt < 20; attempt++) {
            java.util.concurrent.CompletableFuture<Integer> status = new java.util.concurrent.CompletableFuture<>();
            try (SseDevice device = SseDevice.connect(base, "/sse", token, null, session -> {
                try {
                    status.complete(SseDevice.post(base, token, session, "{\"type\":\"PING\"}").statusCode());
                } catch (Exception e) {
                    status.completeExceptionally(e);
                }
            })) {
                assertThat(status.get(10, TimeUnit.SECONDS)).as("attempt %d", attempt).isEqualTo(200);
            }
        }
    }

    @Test
    void theOpenApiDocumentDescribesTheSseRoutes() {
        String document = io.restassured.RestAssured.get("/q/openapi").asString();
        assertThat(document).contains("/sse:").contains("/sse/sessions/{sessionId}:").contains("Last-Event-ID");
    }
}
