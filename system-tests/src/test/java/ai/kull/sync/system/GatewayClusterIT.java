package ai.kull.sync.system;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.payload.PromptAction;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.Ids;
import ai.kull.sync.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three gateway processes on one real broker, devices of several users spread across them: what each
 * device receives, presence and the device list across pods, a pod killed with SIGKILL, and a pod drained
 * with SIGTERM. The pods that get killed or drained are started by their own test, so no test depends
 * on another having run.
 */
class GatewayClusterIT {

    /** Fast presence, so a dead pod is noticed in seconds; a short drain so the test does not wait long. */
    private static final Map<String, String> SETTINGS = Map.of(
            "GATEWAY_PRESENCE_POD_HEARTBEAT_INTERVAL", "1s",
            "GATEWAY_PRESENCE_POD_TIMEOUT", "3s",
            "GATEWAY_DRAIN_PERIOD", "3s");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private static LocalKafkaBroker broker;
    private static EventPublisher publisher;
    private static AppProcess a;
    private static AppProcess b;
    private static AppProcess c;

    private final List<TestDevice> devices = new ArrayList<>();
    private final List<AppProcess> extraPods = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        publisher = new EventPublisher(broker.bootstrapServers());
        a = AppProcess.start("pod-a", broker.bootstrapServers(), SETTINGS);
        b = AppProcess.start("pod-b", broker.bootstrapServers(), SETTINGS);
        c = AppProcess.start("pod-c", broker.bootstrapServers(), SETTINGS);
        for (AppProcess pod : List.of(a, b, c)) {
            pod.awaitReady(READY_TIMEOUT);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        AppProcess.closeAll(a, b, c, publisher, broker);
    }

    @AfterEach
    void disconnect() throws Exception {
        devices.forEach(TestDevice::close);
        for (AppProcess pod : extraPods) {
            pod.close();
        }
    }

    @Test
    void anEventReachesEveryDeviceOfItsUserExactlyOnceInOrderOnEveryPod() throws Exception {
        String alice = unique("alice");
        String bob = unique("bob");
        List<TestDevice> aliceDevices = List.of(connect(a, alice, "web"), connect(b, alice, "phone"),
                connect(c, alice, "mac"));
        List<TestDevice> bobDevices = List.of(connect(a, bob, "web"), connect(c, bob, "phone"));

        int events = 50;
        for (int balance = 1; balance <= events; balance++) {
            publisher.publishToUser(alice, credit(alice, balance));
        }
        publisher.publishToUser(bob, credit(bob, 1_000)).get(10, TimeUnit.SECONDS);
        publishCredit(alice, events + 1); // the marker: all of alice's events were routed before it
        publishCredit(bob, 1_001);

        List<Long> expected = new ArrayList<>();
        for (long balance = 1; balance <= events + 1; balance++) {
            expected.add(balance);
        }
        for (TestDevice device : aliceDevices) {
            assertThat(device.balancesUntil(events + 1)).as("alice's device").isEqualTo(expected);
        }
        for (TestDevice device : bobDevices) {
            assertThat(device.balancesUntil(1_001)).as("bob's device").containsExactly(1_000L, 1_001L);
        }
    }

    @Test
    void deviceTargetingAndOriginExclusionHoldAcrossPods() throws Exception {
        String user = unique("carol");
        TestDevice mac = connect(a, user, "mac");
        TestDevice phone = connect(c, user, "phone");

        publisher.publishToDevice(user, "phone", credit(user, 1)).get(10, TimeUnit.SECONDS);
        publisher.publishExceptDevice(user, "mac", credit(user, 2)).get(10, TimeUnit.SECONDS);
        publishCredit(user, 3);

        assertThat(phone.balancesUntil(3)).containsExactly(1L, 2L, 3L);
        assertThat(mac.balancesUntil(3)).containsExactly(3L);
    }

    @Test
    void organizationChannelsDeliverToAllowedSubscribersOnAnyPod() throws Exception {
        String org = unique("org");
        TestDevice member = track(TestDevice.connect(a.ws("/api/ws/sync/" + org + "?token="
                + token(unique("f"), "web", List.of(org)))));
        TestDevice subscriber = track(TestDevice.connect(c.ws("/ws?token=" + token(unique("g"), "web", List.of(org)))));
        String outsiderId = unique("h");
        TestDevice outsider = connect(b, outsiderId, "web");
        String subscribe = "{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"" + org + "\"}}";
        subscriber.send(subscribe);
        subscriber.next("SUBSCRIBED");
        outsider.send(subscribe);
        assertThat(outsider.next("ERROR")).contains("\"code\":\"FORBIDDEN\"");
        assertThat(TestDevice.refusedStatus(b.ws("/api/ws/sync/" + org + "?token=" + token(unique("i"), "w", List.of()))))
                .as("org path the token does not allow").isEqualTo(403);
        member.next("CONNECTION_ESTABLISHED");

        publisher.publishToOrg(org, new OrgSyncEvent(MessageType.SYNC_PROGRESS, org, "job-7", "PFA-007", 40,
                "Syncing", null, Instant.now())).get(10, TimeUnit.SECONDS);

        assertThat(member.next("SYNC_PROGRESS")).contains("\"jobId\":\"job-7\"");
        assertThat(subscriber.next("SYNC_PROGRESS")).contains("\"jobId\":\"job-7\"");
        publishCredit(outsiderId, 1);
        outsider.balancesUntil(1);
        assertThat(outsider.received).noneMatch(frame -> frame.contains("SYNC_PROGRESS"));
    }

    @Test
    void aPromptBroadcastReachesEverySessionOnEveryPod() throws Exception {
        List<TestDevice> everywhere = List.of(connect(a, unique("p"), "web"), connect(b, unique("q"), "web"),
                connect(c, unique("r"), "web"));
        String promptId = unique("prompt");

        publisher.broadcast(promptId, Envelope.of(MessageType.PROMPT_CHANGE,
                new PromptChange(promptId, PromptAction.CREATED, null), null, null)).get(10, TimeUnit.SECONDS);

        for (TestDevice device : everywhere) {
            assertThat(device.next("PROMPT_CHANGE")).contains("\"promptId\":\"" + promptId + "\"");
        }
    }

    @Test
    void updateProgressIsRelayedToTheUsersDevicesOnOtherPodsNotBackToTheSender() throws Exception {
        String user = unique("erin");
        TestDevice mac = connect(a, user, "mac");
        TestDevice phone = connect(b, user, "phone");
        TestDevice tablet = connect(c, user, "tablet");
        mac.send("""
                {"type":"UPDATE_PROGRESS","payload":{"shootId":"shoot_9","status":"processing",
                 "processedCount":30,"totalCount":100,"provider":"Local"}}""");

        assertThat(phone.next("SHOOT_PROGRESS")).contains("\"shootId\":\"shoot_9\"", "\"deviceId\":\"mac\"");
        assertThat(tablet.next("SHOOT_PROGRESS")).contains("\"shootId\":\"shoot_9\"");
        publishCredit(user, 1);
        mac.balancesUntil(1);
        assertThat(mac.received).noneMatch(frame -> frame.contains("SHOOT_PROGRESS"));
    }

    @Test
    void presenceAndTheDeviceListAgreeOnEveryPod() throws Exception {
        String user = unique("dave");
        TestDevice mac = connect(a, user, "mac");
        mac.next("CONNECTION_ESTABLISHED");
        TestDevice phone = connect(b, user, "phone");
        assertThat(mac.next("DEVICE_CONNECTED")).contains("\"deviceId\":\"phone\"", "\"pod\":\"pod-b\"");
        connect(c, user, "tablet");
        assertThat(phone.next("DEVICE_CONNECTED", "\"deviceId\":\"tablet\"")).contains("\"pod\":\"pod-c\"");

        for (AppProcess pod : List.of(a, b, c)) {
            assertThat(awaitDeviceList(pod, user, 3)).as("list on %s", pod.podId)
                    .contains("\"deviceId\":\"mac\"", "\"deviceId\":\"phone\"", "\"deviceId\":\"tablet\"");
        }
        phone.close();
        assertThat(mac.next("DEVICE_DISCONNECTED")).contains("\"deviceId\":\"phone\"");
        assertThat(awaitDeviceList(c, user, 2)).doesNotContain("\"deviceId\":\"phone\"");
        assertThat(c.get("/api/users/" + user + "/devices", token(unique("x"), "y", List.of())).statusCode())
                .as("another user's list").isEqualTo(403);
    }

    @Test
    void aKilledPodsDevicesAreReportedOfflineOnTheOtherPodsWithinTheTimeout() throws Exception {
        AppProcess doomed = extraPod("pod-doomed");
        String user = unique("frank");
        TestDevice mac = connect(a, user, "mac");
        mac.next("CONNECTION_ESTABLISHED");
        TestDevice onDoomed = connect(doomed, user, "phone");
        mac.next("DEVICE_CONNECTED");
        awaitDeviceList(b, user, 2);

        doomed.kill();
        long killedAt = System.nanoTime();
        assertThat(mac.next("DEVICE_DISCONNECTED")).contains("\"deviceId\":\"phone\"", "\"pod\":\"pod-doomed\"");
        long detectedMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(awaitDeviceList(b, user, 1)).contains("\"deviceId\":\"mac\"").doesNotContain("\"phone\"");
        assertThat(onDoomed.closeCode.exceptionally(transportError -> 1006))
                .as("the device on the killed pod lost its connection (1006: no close frame)")
                .succeedsWithin(Duration.ofSeconds(30)).isEqualTo(1006);
        System.out.printf("killed pod's device reported offline after %d ms (pod timeout 3 s, heartbeat 1 s)%n",
                detectedMillis);
    }

    @Test
    void aDeviceResumesWithoutLossOnAPodStartedAfterItDisconnected() throws Exception {
        String user = unique("gina");
        String cursor;
        try (TestDevice phone = TestDevice.connect(a.ws("/ws?token=" + token(user, "phone", List.of())))) {
            phone.next("CONNECTION_ESTABLISHED");
            publishCredit(user, 1);
            phone.balancesUntil(1);
            cursor = phone.lastCursor();
        }
        for (long balance = 2; balance <= 4; balance++) {
            publishCredit(user, balance);
        }

        // This pod did not exist when the events were published: it must have read them back before ready.
        AppProcess late = extraPod("pod-late");
        TestDevice phone = track(TestDevice.connect(late.ws("/ws?token=" + token(user, "phone", List.of())
                + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))));

        assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true", "\"pod\":\"pod-late\"");
        assertThat(phone.balancesUntil(4)).containsExactly(2L, 3L, 4L);
        assertThat(phone.next("PENDING_CHECK_COMPLETE")).contains("\"delivered\":3");
    }

    @Test
    void sigtermUnreadiesThePodAndClosesEverySessionWith1012WithinTheDrainPeriod() throws Exception {
        AppProcess draining = extraPod("pod-draining");
        List<TestDevice> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sessions.add(connect(draining, unique("drain"), "web"));
        }

        List<Long> closedAfterMillis = new CopyOnWriteArrayList<>();
        long sigtermAt = System.nanoTime();
        sessions.forEach(session -> session.closeCode.thenRun(
                () -> closedAfterMillis.add((System.nanoTime() - sigtermAt) / 1_000_000)));
        draining.terminate();
        awaitUnready(draining);
        for (TestDevice session : sessions) {
            assertThat(session.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.SERVICE_RESTART);
        }
        assertThat(draining.process.waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
        long exitedAfter = (System.nanoTime() - sigtermAt) / 1_000_000;
        List<Long> sorted = closedAfterMillis.stream().sorted().toList();
        System.out.printf("drain: 20 sessions closed with 1012 between %d and %d ms after SIGTERM; exit after %d ms "
                + "(drain period 3 s)%n", sorted.get(0), sorted.get(19), exitedAfter);
        assertThat(sorted.get(19) - sorted.get(0)).as("closes are spread out").isPositive();
    }

    @Test
    void authenticationFailuresAreRefusedAtTheUpgradeAndBadFramesAnswered() throws Exception {
        String user = unique("k");
        assertThat(TestDevice.refusedStatus(c.ws("/ws"))).as("no token").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(c.ws("/ws?token=" + user))).as("raw token, dev flag off").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(c.ws("/ws?token=x.y.z"))).as("malformed").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(c.ws("/ws?token="
                + TestDevice.token(user, "d", Duration.ofMinutes(-5), TestDevice.SECRET, List.of()))))
                .as("expired").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(c.ws("/ws?token="
                + TestDevice.token(user, "d", Duration.ofMinutes(5), TestDevice.SECRET + "forged", List.of()))))
                .as("forged").isEqualTo(401);
        assertThat(TestDevice.refusedStatus(c.ws("/ws/user/someone-else?token=" + token(user, "d", List.of()))))
                .as("path user differs").isEqualTo(403);

        TestDevice device = connect(a, user, "web");
        for (String[] frameAndCode : new String[][] {
                {"{not json", "MALFORMED_JSON"},
                {"{\"type\":\"NOPE\"}", "UNKNOWN_TYPE"},
                {"{\"type\":\"CREDIT_UPDATE\",\"payload\":{}}", "UNKNOWN_TYPE"},
                {"{\"type\":\"SUBSCRIBE\",\"payload\":{}}", "INVALID_FIELD"},
                {"{\"type\":\"UPDATE_PROGRESS\",\"payload\":{\"shootId\":\"s\",\"status\":\"nope\","
                        + "\"processedCount\":1,\"totalCount\":2,\"provider\":\"p\"}}", "INVALID_FIELD"}}) {
            device.send(frameAndCode[0]);
            assertThat(device.next("ERROR")).as(frameAndCode[0]).contains("\"code\":\"" + frameAndCode[1] + "\"");
        }
        device.send("{\"type\":\"PING\"}");
        assertThat(device.next("PONG")).as("the session stays open").contains("timestamp");
    }

    private AppProcess extraPod(String podId) throws Exception {
        AppProcess pod = AppProcess.start(podId, broker.bootstrapServers(), SETTINGS);
        extraPods.add(pod);
        pod.awaitReady(READY_TIMEOUT);
        return pod;
    }

    private TestDevice connect(AppProcess pod, String userId, String deviceId) throws Exception {
        return track(TestDevice.connect(pod.ws("/ws?token=" + token(userId, deviceId, List.of()))));
    }

    /** Keeps the device for closing after the test, once its session is attached. */
    private TestDevice track(TestDevice device) throws InterruptedException {
        devices.add(device);
        return device.awaitEstablished();
    }

    private static String awaitDeviceList(AppProcess pod, String user, int devices) throws Exception {
        String token = token(user, "lister", List.of());
        return await("devices of " + user + " on " + pod.podId).until(() -> {
            HttpResponse<String> list = pod.get("/api/users/" + user + "/devices", token);
            assertThat(list.statusCode()).isEqualTo(200);
            return list.body();
        }, body -> body.split("\"deviceId\"", -1).length - 1 == devices);
    }

    private static void awaitUnready(AppProcess pod) throws Exception {
        await("unready during the drain that follows SIGTERM")
                .until(() -> pod.get("/q/health/ready", null).statusCode() != 200);
    }

    private static String token(String userId, String deviceId, List<String> orgs) throws Exception {
        return TestDevice.token(userId, deviceId, Duration.ofMinutes(10), TestDevice.SECRET, orgs);
    }

    private static Envelope credit(String userId, long balance) {
        return Envelope.of(MessageType.CREDIT_UPDATE, new CreditUpdate(userId, balance, 1L, "test"), userId, null);
    }

    private static void publishCredit(String userId, long balance) throws Exception {
        publisher.publishToUser(userId, credit(userId, balance)).get(10, TimeUnit.SECONDS);
    }

    private static String unique(String prefix) {
        return Ids.unique(prefix);
    }
}
