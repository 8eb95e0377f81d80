package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.admission.AdmissionControl;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused upgrades of a client that asks for them as close codes ({@code refusal=close}, what browsers need:
 * they cannot read the HTTP status of a refused upgrade): the upgrade succeeds, the connection is closed at
 * once with 4000 + the HTTP status and, for 4429/4503, {@code retry-after=<seconds>; ...} in the reason. Seen
 * from a real WebSocket client. Each refusal is counted like an HTTP refusal and costs no session, no slot and
 * no presence announcement. Without the parameter the HTTP statuses are unchanged (HostileInputTest).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class RefusalByCloseTest extends GatewayTest {

    private static final String BY_CLOSE = "refusal=close";

    @Inject
    AdmissionControl admission;

    /**
     * The pod's new-connection budget (50 per second, as many at once, in tests) is shared by every test of this
     * JVM, and a burst test (here or in HostileInputTest) empties it: wait until it is full again, so a refusal
     * below is the one under test and not 4503.
     */
    @BeforeEach
    void newConnectionBudgetRefilled() {
        await("the pod's new-connection budget is whole again").until(admission::newConnectionBudgetFull);
    }

    @Test
    void missingExpiredAndForgedTokensCloseWith4401() throws Exception {
        String user = unique("tokenless");
        String valid = token(user, "d", List.of());
        String[] parts = valid.split("\\.");
        Map<String, String> cases = Map.of(
                "/ws?" + BY_CLOSE, "missing token",
                "/ws?token=garbage&" + BY_CLOSE, "malformed",
                "/ws?token=" + TestDevice.token(user, "d", Duration.ofMinutes(-5), TestDevice.SECRET, List.of())
                        + "&" + BY_CLOSE, "token expired",
                "/ws?token=" + TestDevice.token(user, "d", Duration.ofMinutes(5), "another-secret-another-secret-0123",
                        List.of()) + "&" + BY_CLOSE, "invalid signature",
                "/ws?token=" + parts[0] + "." + parts[1] + "x." + parts[2] + "&" + BY_CLOSE, "");
        double before = metric("sync_gateway_upgrades_rejected_total{status=\"401\"}");
        for (Map.Entry<String, String> test : cases.entrySet()) {
            try (TestDevice refused = TestDevice.connect(ws(test.getKey()))) {
                assertThat(refused.closeCode.get(10, TimeUnit.SECONDS)).as(test.getKey())
                        .isEqualTo(CloseCodes.UPGRADE_UNAUTHORIZED);
                assertThat(refused.closeReason.get()).as(test.getKey()).contains(test.getValue())
                        .doesNotContain("retry-after");
                assertThat(refused.received).as("no frame before the close").isEmpty();
            }
        }
        assertThat(metric("sync_gateway_upgrades_rejected_total{status=\"401\"}"))
                .as("counted once each, like an HTTP refusal").isEqualTo(before + cases.size());
        assertThat(metric("sync_gateway_sessions_closed_total{code=\"4401\"}")).as("not counted as a closed session")
                .isZero();
    }

    @Test
    void aPathNamingAnotherUserOrAForeignOrganizationClosesWith4403() throws Exception {
        String user = unique("trespasser");
        String valid = token(user, "d", List.of("my-org"));
        Map<String, String> cases = Map.of(
                "/ws/user/" + unique("someone-else") + "?token=" + valid + "&" + BY_CLOSE,
                "path userId does not match the token",
                "/api/ws/sync/other-org?" + BY_CLOSE + "&token=" + valid, "token does not allow organization other-org");
        double before = metric("sync_gateway_upgrades_rejected_total{status=\"403\"}");
        for (Map.Entry<String, String> test : cases.entrySet()) {
            try (TestDevice refused = TestDevice.connect(ws(test.getKey()))) {
                assertThat(refused.closeCode.get(10, TimeUnit.SECONDS)).as(test.getKey())
                        .isEqualTo(CloseCodes.UPGRADE_FORBIDDEN);
                assertThat(refused.closeReason.get()).as(test.getKey()).isEqualTo(test.getValue());
            }
        }
        assertThat(metric("sync_gateway_upgrades_rejected_total{status=\"403\"}")).isEqualTo(before + cases.size());
    }

    @Test
    void overTheSessionLimitClosesWith4429AndRetryAfter10WithoutAnnouncingOrHoldingASlot() throws Exception {
        String user = unique("hoarder");
        double rejectedBefore = metric("sync_gateway_upgrades_rejected_total{status=\"429\"}");
        double refusedBefore = metric("sync_gateway_admission_refused_total{reason=\"connections-per-user\"}");
        List<TestDevice> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // gateway.session.max-per-user is 4 in tests
                open.add(TestDevice.connect(ws("/ws?token=" + token(user, "d" + i, List.of()) + "&" + BY_CLOSE))
                        .awaitEstablished());
            }
            TestDevice watcher = open.get(0);
            for (int attempt = 0; attempt < 2; attempt++) {
                try (TestDevice refused = TestDevice.connect(ws("/ws?token=" + token(user, "d5", List.of()) + "&" + BY_CLOSE))) {
                    assertThat(refused.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.UPGRADE_TOO_MANY_SESSIONS);
                    String reason = refused.closeReason.get();
                    assertThat(reason).isEqualTo("retry-after=10; too many connections for this user on this pod");
                    assertThat(CloseCodes.retryAfterSeconds(reason)).isEqualTo(10);
                    assertThat(refused.received).isEmpty();
                }
            }
            assertThat(metric("sync_gateway_upgrades_rejected_total{status=\"429\"}")).isEqualTo(rejectedBefore + 2);
            assertThat(metric("sync_gateway_admission_refused_total{reason=\"connections-per-user\"}"))
                    .isEqualTo(refusedBefore + 2);

            // Presence of a user travels in order on one partition: once the watcher sees d3 leave, it would have
            // seen d5 come and go before, had the refused connections been announced.
            open.remove(3).close();
            assertThat(watcher.next("DEVICE_DISCONNECTED", "\"deviceId\":\"d3\"")).isNotNull();
            assertThat(watcher.received).noneMatch(frame -> frame.contains("\"deviceId\":\"d5\""));

            // The refusals held no slot and released none: with d3 gone exactly one more session fits.
            TestDevice d6 = TestDevice.connect(ws("/ws?token=" + token(user, "d6", List.of()) + "&" + BY_CLOSE));
            open.add(d6);
            d6.awaitEstablished();
            try (TestDevice refused = TestDevice.connect(ws("/ws?token=" + token(user, "d7", List.of()) + "&" + BY_CLOSE))) {
                assertThat(refused.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.UPGRADE_TOO_MANY_SESSIONS);
            }
            assertThat(open).allSatisfy(device -> assertThat(device.closeCode).isNotDone());
        } finally {
            open.forEach(TestDevice::close);
        }
    }

    @Test
    void beyondTheNewConnectionRateClosesWith4503AndARetryAfterOf1To5Seconds() throws Exception {
        double rejectedBefore = metric("sync_gateway_upgrades_rejected_total{status=\"503\"}");
        double refusedBefore = metric("sync_gateway_admission_refused_total{reason=\"new-connection-rate\"}");
        List<CompletableFuture<TestDevice>> attempts = new ArrayList<>();
        for (int i = 0; i < 150; i++) { // 50 per second in tests; no token, so each is cheap for both sides
            attempts.add(TestDevice.connectAsync(ws("/ws?" + BY_CLOSE)));
        }
        int unavailable = 0;
        int unauthorized = 0;
        for (CompletableFuture<TestDevice> attempt : attempts) {
            try (TestDevice refused = attempt.get(30, TimeUnit.SECONDS)) {
                int code = refused.closeCode.get(10, TimeUnit.SECONDS);
                String reason = refused.closeReason.get();
                if (code == CloseCodes.UPGRADE_UNAVAILABLE) {
                    unavailable++;
                    assertThat(reason).matches("retry-after=[1-5]; too many new connections on this pod, retry later");
                    assertThat(CloseCodes.retryAfterSeconds(reason)).isBetween(1, 5);
                } else {
                    assertThat(code).isEqualTo(CloseCodes.UPGRADE_UNAUTHORIZED);
                    assertThat(reason).isEqualTo("missing token");
                    unauthorized++;
                }
            }
        }
        System.out.printf("150 refusal=close upgrades at once, no token: %d closed with 4503, %d with 4401%n",
                unavailable, unauthorized);
        assertThat(unavailable).isPositive();
        assertThat(unauthorized).as("the burst allowance").isGreaterThanOrEqualTo(50);
        assertThat(metric("sync_gateway_upgrades_rejected_total{status=\"503\"}")).isEqualTo(rejectedBefore + unavailable);
        assertThat(metric("sync_gateway_admission_refused_total{reason=\"new-connection-rate\"}"))
                .isEqualTo(refusedBefore + unavailable);

        await("admitted again once the rate allows").pollInterval(Duration.ofMillis(200))
                .until(() -> TestDevice.refusedStatus(ws("/ws?token=" + token(unique("late"), "d", List.of()))) == 101);
    }

    @Test
    void withoutTheParameterOrWithAnotherValueRefusalsKeepTheirHttpStatus() throws Exception {
        String user = unique("native");
        String expired = TestDevice.token(user, "d", Duration.ofMinutes(-5), TestDevice.SECRET, List.of());
        Map<String, Integer> cases = Map.of(
                "/ws?token=" + expired, 401,
                "/ws?token=" + expired + "&refusal=http", 401,
                "/ws?refusal=CLOSE", 401,
                "/ws/user/" + unique("other") + "?token=" + token(user, "d", List.of()), 403);
        for (Map.Entry<String, Integer> test : cases.entrySet()) {
            HttpResponse<?> refusal = TestDevice.refusal(ws(test.getKey()));
            assertThat(refusal).as(test.getKey()).isNotNull();
            assertThat(refusal.statusCode()).as(test.getKey()).isEqualTo(test.getValue());
        }
        // An accepted refusal=close client is an ordinary session.
        try (TestDevice device = TestDevice.connect(ws("/ws?" + BY_CLOSE + "&token=" + token(user, "d", List.of())))) {
            device.awaitEstablished();
            device.send("{\"type\":\"PING\"}");
            assertThat(device.next("PONG")).contains("\"timestamp\"");
            assertThat(device.closeCode).isNotDone();
        }
    }
}
