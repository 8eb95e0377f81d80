package ai.kull.sync.gateway.routing;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.payload.AdminAction;
import ai.kull.sync.events.payload.AdminSessionUpdate;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One gateway, a real broker, real WebSocket clients: what devices receive and what they are refused. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class LiveDeliveryTest extends GatewayTest {

    @Inject
    SessionRegistry sessions;

    @Test
    void connectionEstablishedNamesTheUserDeviceAndPodAndAnnouncesTheLimits() throws Exception {
        try (TestDevice device = device("/ws", unique("u"), "iphone-1", List.of())) {
            String established = device.next("CONNECTION_ESTABLISHED");
            assertThat(established).contains("\"deviceId\":\"iphone-1\"", "\"pod\":\"test-pod\"",
                    "\"heartbeatIntervalMs\":1000", "\"resumed\":false");
            // What a client would otherwise copy by hand: the gateway's settings, stated by the gateway.
            assertThat(established).contains("\"maxMessageBytes\":65536", "\"inboundRate\":20.0",
                    "\"inboundBurst\":40");
        }
    }

    @Test
    void anEventReachesEveryDeviceOfItsUserOnceAndNoOtherUser() throws Exception {
        String alice = unique("alice");
        String bob = unique("bob");
        try (TestDevice aliceWeb = device("/ws", alice, null, List.of());
             TestDevice alicePhone = device("/ws/user/" + alice, alice, "phone", List.of());
             TestDevice bobWeb = device("/ws", bob, null, List.of())) {
            publishCredit(alice, 111);
            publishCredit(bob, 222);

            assertThat(alicePhone.next("CREDIT_UPDATE")).contains("\"newBalance\":111");
            assertThat(aliceWeb.next("CREDIT_UPDATE")).contains("\"newBalance\":111");
            assertThat(bobWeb.next("CREDIT_UPDATE")).contains("\"newBalance\":222");

            publishCredit(alice, 112); // a marker: everything before it has been routed
            assertThat(aliceWeb.next("CREDIT_UPDATE")).contains("\"newBalance\":112");
            assertThat(alicePhone.next("CREDIT_UPDATE")).contains("\"newBalance\":112");
            assertThat(bobWeb.received).noneMatch(frame -> frame.contains("\"newBalance\":11"));
        }
    }

    /**
     * A frame shared by the devices at the same cursor ({@code LastFrame}): each device gets every frame whole
     * and in order, non-ASCII text intact.
     */
    @Test
    void framesSharedByDevicesArriveWholeAndInOrderOnEverySocket() throws Exception {
        String user = unique("ines");
        try (TestDevice web = device("/ws", user, "web", List.of());
             TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice mac = device("/ws", user, "mac", List.of())) {
            assertThat(sessions.forUser(user)).hasSize(3);
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (int balance = 1; balance <= 40; balance++) {
                sent.add(publisher.publishToUser(user, Envelope.of(MessageType.CREDIT_UPDATE,
                        new CreditUpdate(user, (long) balance, 1L, "prépayé ✓ " + balance), user, null)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            for (TestDevice device : List.of(web, phone, mac)) {
                for (int balance = 1; balance <= 40; balance++) {
                    assertThat(device.next("CREDIT_UPDATE"))
                            .contains("\"newBalance\":" + balance + ",", "prépayé ✓ " + balance + "\"");
                }
            }
        }
    }

    /**
     * Records another team wrote wrongly (a tombstone, a scope no gateway knows, a tombstone on the presence
     * topic) are counted and skipped; the user's next event arrives as if they had not been there.
     */
    @Test
    void recordsNoSessionCanReceiveAreCountedAndTheNextEventStillArrives() throws Exception {
        String user = unique("grace");
        double noValueBefore = metric("sync_gateway_drops_total{reason=\"no-value\"}");
        double unknownScopeBefore = metric("sync_gateway_drops_total{reason=\"unknown-scope\"}");
        double invalidPresenceBefore = metric("sync_gateway_drops_total{reason=\"invalid-presence\"}");
        try (TestDevice phone = device("/ws", user, "phone", List.of());
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                     new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.CREDIT_UPDATES, user, null)).get(10, TimeUnit.SECONDS);
            ProducerRecord<String, byte[]> unknownScope = new ProducerRecord<>(Topics.CREDIT_UPDATES, user,
                    "{\"type\":\"CREDIT_UPDATE\"}".getBytes(StandardCharsets.UTF_8));
            unknownScope.headers().add(EventHeaders.SCOPE, "everyone".getBytes(StandardCharsets.UTF_8));
            raw.send(unknownScope).get(10, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>(Topics.PRESENCE, "some-pod", null)).get(10, TimeUnit.SECONDS);
            publishCredit(user, 7);

            assertThat(phone.balancesUntil(7)).containsExactly(7L);
        }
        assertThat(metric("sync_gateway_drops_total{reason=\"no-value\"}")).isEqualTo(noValueBefore + 1);
        assertThat(metric("sync_gateway_drops_total{reason=\"unknown-scope\"}")).isEqualTo(unknownScopeBefore + 1);
        assertThat(metric("sync_gateway_drops_total{reason=\"invalid-presence\"}")).isEqualTo(invalidPresenceBefore + 1);
    }

    /** The router encodes one frame for devices at the same position; a device reading more partitions gets its own. */
    @Test
    void eachDeviceGetsTheCursorOfThePartitionsItReads() throws Exception {
        String user = unique("cursors");
        String org = unique("org");
        try (TestDevice web = device("/ws", user, "web", List.of(org));
             TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice tablet = device("/ws", user, "tablet", List.of(org))) {
            web.send("{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"" + org + "\"}}");
            assertThat(web.next("SUBSCRIBED")).contains(org);
            publishCredit(user, 5);

            String webFrame = web.next("CREDIT_UPDATE");
            String phoneFrame = phone.next("CREDIT_UPDATE");
            String tabletFrame = tablet.next("CREDIT_UPDATE");
            assertThat(tabletFrame).isEqualTo(phoneFrame).contains("\"newBalance\":5");
            String userOnly = tablet.lastCursor();
            String withOrg = web.lastCursor();
            assertThat(withOrg).isNotEqualTo(userOnly);
            assertThat(withOrg.split(",")).hasSize(userOnly.split(",").length + 1); // the org's partition too
            assertThat(webFrame).isEqualTo(phoneFrame.replace(userOnly, withOrg));
        }
    }

    @Test
    void targetDeviceAndOriginExclusion() throws Exception {
        String user = unique("carol");
        try (TestDevice mac = device("/ws", user, "mac", List.of());
             TestDevice phone = device("/ws", user, "phone", List.of())) {
            Envelope onlyPhone = credit(user, 1);
            publisher.publishToDevice(user, "phone", onlyPhone).get(10, TimeUnit.SECONDS);
            Envelope notMac = credit(user, 2);
            publisher.publishExceptDevice(user, "mac", notMac).get(10, TimeUnit.SECONDS);
            publishCredit(user, 3);

            assertThat(phone.next("CREDIT_UPDATE")).contains("\"newBalance\":1,");
            assertThat(phone.next("CREDIT_UPDATE")).contains("\"newBalance\":2,");
            assertThat(phone.next("CREDIT_UPDATE")).contains("\"newBalance\":3,");
            assertThat(mac.next("CREDIT_UPDATE")).contains("\"newBalance\":3,");
        }
    }

    @Test
    void anotherDeviceConnectingAndLeavingIsAnnounced() throws Exception {
        String user = unique("dave");
        try (TestDevice mac = device("/ws", user, "mac", List.of())) {
            mac.next("CONNECTION_ESTABLISHED");
            try (TestDevice phone = device("/ws", user, "phone", List.of())) {
                assertThat(mac.next("DEVICE_CONNECTED")).contains("\"deviceId\":\"phone\"");
            }
            assertThat(mac.next("DEVICE_DISCONNECTED")).contains("\"deviceId\":\"phone\"");
        }
    }

    @Test
    void updateProgressIsRelayedToTheUsersOtherDevicesOnly() throws Exception {
        String user = unique("erin");
        try (TestDevice mac = device("/ws", user, "mac", List.of());
             TestDevice phone = device("/ws", user, "phone", List.of())) {
            mac.next("CONNECTION_ESTABLISHED");
            mac.send("""
                    {"type":"UPDATE_PROGRESS","payload":{"shootId":"shoot_1","status":"processing",
                     "processedCount":15,"totalCount":100,"provider":"Local"}}""");

            String relayed = phone.next("SHOOT_PROGRESS");
            assertThat(relayed).contains("\"shootId\":\"shoot_1\"", "\"userId\":\"" + user + "\"",
                    "\"deviceId\":\"mac\"");
            publishCredit(user, 5);
            mac.next("CREDIT_UPDATE");
            assertThat(mac.received).noneMatch(frame -> frame.contains("SHOOT_PROGRESS"));
        }
    }

    @Test
    void organizationChannelsDeliverToSubscribersTheTokenAllows() throws Exception {
        String org = unique("org");
        try (TestDevice member = device("/api/ws/sync/" + org, unique("f"), "web", List.of(org));
             TestDevice subscriber = device("/ws", unique("g"), "web", List.of(org));
             TestDevice outsider = device("/ws", unique("h"), "web", List.of())) {
            subscriber.send("{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"" + org + "\"}}");
            assertThat(subscriber.next("SUBSCRIBED")).contains(org);
            outsider.send("{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"" + org + "\"}}");
            assertThat(outsider.next("ERROR")).contains("\"code\":\"FORBIDDEN\"");
            member.next("CONNECTION_ESTABLISHED");

            publisher.publishToOrg(org, new OrgSyncEvent(MessageType.SYNC_STARTED, org, "job-1", "PFA-001", null,
                    "Starting sync", null, Instant.now())).get(10, TimeUnit.SECONDS);

            assertThat(member.next("SYNC_STARTED")).contains("\"jobId\":\"job-1\"");
            assertThat(subscriber.next("SYNC_STARTED")).contains("\"jobId\":\"job-1\"");
            assertThat(outsider.received).noneMatch(frame -> frame.contains("SYNC_STARTED"));
        }
    }

    @Test
    void adminMessagesReachOnlyTheUsersAdminSessions() throws Exception {
        String user = unique("admin");
        String adminToken = TestDevice.token(user, "console", Duration.ofMinutes(5), TestDevice.SECRET, List.of(),
                List.of("admin"));
        try (TestDevice console = TestDevice.connect(ws("/ws?token=" + adminToken));
             TestDevice phone = device("/ws", user, "phone", List.of())) {
            publisher.publishToUser(user, Envelope.of(MessageType.ADMIN_SESSION_UPDATE,
                    new AdminSessionUpdate("session-1", AdminAction.STARTED, "opened", null), user, null))
                    .get(10, TimeUnit.SECONDS);
            publishCredit(user, 9); // a marker: the admin message was routed before it

            assertThat(console.next("ADMIN_SESSION_UPDATE")).contains("\"sessionId\":\"session-1\"");
            phone.next("CREDIT_UPDATE");
            assertThat(phone.received).noneMatch(frame -> frame.contains("ADMIN_SESSION_UPDATE"));
        }
    }

    @Test
    void badFramesGetAnErrorAndTheSessionStays() throws Exception {
        try (TestDevice device = device("/ws", unique("i"), "web", List.of())) {
            device.send("not json");
            assertThat(device.next("ERROR")).contains("\"code\":\"MALFORMED_JSON\"");
            device.send("{\"type\":\"NOPE\"}");
            assertThat(device.next("ERROR")).contains("\"code\":\"UNKNOWN_TYPE\"");
            device.send("{\"type\":\"CREDIT_UPDATE\",\"payload\":{}}");
            assertThat(device.next("ERROR")).contains("\"code\":\"UNKNOWN_TYPE\"");
            device.send("{\"type\":\"UPDATE_PROGRESS\",\"payload\":{\"shootId\":\"s\",\"status\":\"processing\","
                    + "\"processedCount\":5,\"totalCount\":2,\"provider\":\"p\"}}");
            assertThat(device.next("ERROR")).contains("\"code\":\"INVALID_FIELD\"", "processedCount");
            device.send("{\"type\":\"PING\"}");
            assertThat(device.next("PONG")).contains("\"timestamp\"");
            device.send("{\"type\":\"GET_PENDING\"}");
            assertThat(device.next("PENDING_CHECK_COMPLETE")).contains("\"delivered\":0");
        }
    }

    @Test
    void metricsCountWhatHappened() throws Exception {
        String user = unique("m");
        try (TestDevice device = device("/ws", user, "web", List.of())) {
            publishCredit(user, 1);
            device.next("CREDIT_UPDATE");
            device.send("nope");
            device.next("ERROR");
            assertThat(TestDevice.refusedStatus(ws("/ws"))).isEqualTo(401);

            String metrics = RestAssured.get("/q/metrics").asString();
            assertThat(metrics).contains("sync_gateway_sessions ", "sync_gateway_deliveries_total{type=\"CREDIT_UPDATE\"}",
                    "sync_gateway_client_errors_total{code=\"MALFORMED_JSON\"}",
                    "sync_gateway_upgrades_rejected_total{status=\"401\"}", "kafka_consumer_fetch_manager_records_lag_max");
        }
    }

    @Test
    void everyAuthenticationFailureIsRefusedAtTheUpgrade() throws Exception {
        String user = unique("k");
        assertThat(TestDevice.refusedStatus(ws("/ws"))).as("no token").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(ws("/ws?token=" + user))).as("raw token, dev flag off").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(ws("/ws?token=not.a.jwt"))).as("malformed").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(ws("/ws?token="
                + TestDevice.token(user, "d", Duration.ofMinutes(-5), TestDevice.SECRET, List.of()))))
                .as("expired").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(ws("/ws?token="
                + TestDevice.token(user, "d", Duration.ofMinutes(5), TestDevice.SECRET + "x", List.of()))))
                .as("forged signature").isEqualTo(401);
        String valid = TestDevice.token(user, "d", Duration.ofMinutes(5), TestDevice.SECRET, List.of());
        assertThat(TestDevice.refusedStatus(ws("/ws/user/someone-else?token=" + valid)))
                .as("path user differs").isEqualTo(403);
        assertThat(TestDevice.refusedStatus(ws("/api/ws/sync/other-org?token=" + valid)))
                .as("org not allowed").isEqualTo(403);
        assertThat(TestDevice.refusedStatus(ws("/ws?token=" + valid))).as("valid").isEqualTo(101);
    }
}
