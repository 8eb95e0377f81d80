package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Scope;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.Offsets;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.gateway.session.SessionStream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static ai.kull.sync.gateway.replay.DeliveryRule.Verdict.DELIVER;
import static ai.kull.sync.gateway.replay.DeliveryRule.Verdict.NOT_ADDRESSED;
import static ai.kull.sync.gateway.replay.DeliveryRule.Verdict.NOT_ADMIN;
import static ai.kull.sync.gateway.replay.DeliveryRule.Verdict.ORIGIN;
import static ai.kull.sync.gateway.replay.DeliveryRule.Verdict.SEEN_BEFORE;
import static ai.kull.sync.gateway.replay.DeliveryRule.Verdict.TARGET_DEVICE;
import static org.assertj.core.api.Assertions.assertThat;

/** The one rule for live routing, replays and the trace, decided on key and headers alone. */
class DeliveryRuleTest {

    static DeviceSession session(String userId, String deviceId, Set<String> roles) {
        return new DeviceSession(null, new DeviceIdentity(userId, deviceId, "web", null, Set.of("org-a"), roles), 0);
    }

    static WindowEntry entry(int slot, long offset, Scope scope, String key, String type, String target, String origin) {
        return new WindowEntry(slot, offset, 0, scope, key, type, target, origin, new byte[] {'{', '}'});
    }

    private final DeviceSession phone = session("alice", "phone", Set.of());

    @Test
    void aUsersRecordGoesToEveryDeviceOfThatUserOnly() {
        assertThat(DeliveryRule.replayed(phone, entry(0, 1, Scope.USER, "alice", "CREDIT_UPDATE", null, null))).isEqualTo(DELIVER);
        assertThat(DeliveryRule.replayed(phone, entry(0, 1, Scope.USER, "bob", "CREDIT_UPDATE", null, null))).isEqualTo(NOT_ADDRESSED);
    }

    @Test
    void targetAndOriginDevicesAreHonoured() {
        assertThat(DeliveryRule.replayed(phone, entry(0, 1, Scope.USER, "alice", "X", "mac", null))).isEqualTo(TARGET_DEVICE);
        assertThat(DeliveryRule.replayed(phone, entry(0, 1, Scope.USER, "alice", "X", "phone", null))).isEqualTo(DELIVER);
        assertThat(DeliveryRule.replayed(phone, entry(0, 1, Scope.USER, "alice", "X", null, "phone"))).isEqualTo(ORIGIN);
        assertThat(DeliveryRule.replayed(phone, entry(0, 1, Scope.USER, "alice", "X", null, "mac"))).isEqualTo(DELIVER);
    }

    @Test
    void organizationRecordsOnlyForJoinedOrganizationsAndBroadcastsForAll() {
        WindowEntry orgA = entry(3, 1, Scope.ORG, "org-a", "SYNC_STARTED", null, null);
        assertThat(DeliveryRule.replayed(phone, orgA)).isEqualTo(NOT_ADDRESSED);
        new SessionRegistry(new GatewayMetrics(new SimpleMeterRegistry())).subscribe(phone, "org-a");
        assertThat(DeliveryRule.replayed(phone, orgA)).isEqualTo(DELIVER);
        assertThat(DeliveryRule.replayed(phone, entry(3, 2, Scope.ORG, "org-b", "SYNC_STARTED", null, null))).isEqualTo(NOT_ADDRESSED);
        assertThat(DeliveryRule.replayed(phone, entry(5, 1, Scope.BROADCAST, "prompt-1", "PROMPT_CHANGE", null, null))).isEqualTo(DELIVER);
    }

    @Test
    void adminOnlyTypesReachAdminsOnly() {
        WindowEntry adminOnly = entry(0, 1, Scope.USER, "alice", MessageType.ADMIN_SESSION_UPDATE.name(), null, null);
        assertThat(DeliveryRule.replayed(phone, adminOnly)).isEqualTo(NOT_ADMIN);
        DeviceSession admin = session("alice", "console", Set.of(DeviceIdentity.ADMIN_ROLE));
        assertThat(DeliveryRule.replayed(admin, adminOnly)).isEqualTo(DELIVER);
    }

    @Test
    void liveRoutingSkipsWhatTheDeviceSawBeforeItsResumeAndReplaysDoNot() {
        phone.stream(new SessionStream(new int[] {0}, Offsets.of(Map.of(0, 10L))));
        WindowEntry seen = entry(0, 9, Scope.USER, "alice", "CREDIT_UPDATE", null, null);
        assertThat(DeliveryRule.live(phone, seen)).isEqualTo(SEEN_BEFORE);
        assertThat(DeliveryRule.replayed(phone, seen)).isEqualTo(DELIVER);
        assertThat(DeliveryRule.live(phone, entry(0, 10, Scope.USER, "alice", "CREDIT_UPDATE", null, null))).isEqualTo(DELIVER);
    }
}
