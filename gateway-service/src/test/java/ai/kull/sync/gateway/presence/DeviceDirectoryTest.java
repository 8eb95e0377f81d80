package ai.kull.sync.gateway.presence;

import ai.kull.sync.events.payload.DeviceConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DeviceDirectoryTest {

    private static final long TIMEOUT = 15_000;
    private final DeviceDirectory directory = new DeviceDirectory(TIMEOUT);

    private static DeviceConnection device(String deviceId, String pod, long connectedAt) {
        return new DeviceConnection(deviceId, "ios", "iPhone", connectedAt, pod);
    }

    @Test
    void listsConnectedDevicesOncePerDeviceUntilTheyDisconnect() {
        directory.connected("alice", device("phone", "pod-a", 100), 1_000);
        directory.connected("alice", device("mac", "pod-b", 200), 1_000);
        directory.connected("alice", device("phone", "pod-b", 300), 1_000); // a second tab/connection of the same device
        directory.connected("bob", device("web", "pod-a", 100), 1_000);

        assertThat(directory.devicesOf("alice", 2_000)).extracting(DeviceConnection::deviceId, DeviceConnection::pod)
                .containsExactly(tuple("mac", "pod-b"),
                        tuple("phone", "pod-b"));

        directory.disconnected("alice", device("phone", "pod-b", 300));
        assertThat(directory.devicesOf("alice", 2_000)).extracting(DeviceConnection::deviceId)
                .containsExactly("phone", "mac");
        directory.disconnected("alice", device("phone", "pod-a", 100));
        directory.disconnected("alice", device("mac", "pod-b", 200));
        assertThat(directory.devicesOf("alice", 2_000)).isEmpty();
        assertThat(directory.devicesOf("bob", 2_000)).hasSize(1);
    }

    @Test
    void aLateDisconnectOfAnOldConnectionDoesNotHideTheDevicesNewOne() {
        directory.connected("alice", device("phone", "pod-a", 100), 1_000);
        directory.connected("alice", device("phone", "pod-b", 500), 1_000); // reconnected elsewhere first
        directory.disconnected("alice", device("phone", "pod-a", 100));

        assertThat(directory.devicesOf("alice", 2_000)).extracting(DeviceConnection::pod).containsExactly("pod-b");
    }

    @Test
    void aSilentPodsDevicesExpireAfterTheTimeoutAndAreReturnedOnce() {
        directory.heartbeat("pod-a", 50, 1_000);
        directory.connected("alice", device("phone", "pod-a", 100), 1_000);
        directory.heartbeat("pod-b", 50, 1_000);
        directory.connected("alice", device("mac", "pod-b", 100), 1_000);
        directory.heartbeat("pod-b", 50, 1_000 + TIMEOUT);

        assertThat(directory.expireSilentPods("pod-b", 1_000 + TIMEOUT)).isEmpty();
        assertThat(directory.devicesOf("alice", 1_001 + TIMEOUT)).extracting(DeviceConnection::deviceId)
                .as("listed only while its pod is alive, even before the sweep").containsExactly("mac");

        assertThat(directory.expireSilentPods("pod-b", 1_001 + TIMEOUT))
                .extracting(c -> c.device().deviceId()).containsExactly("phone");
        assertThat(directory.expireSilentPods("pod-b", 1_002 + TIMEOUT)).isEmpty();
        assertThat(directory.devicesOf("alice", 1_001 + TIMEOUT)).extracting(DeviceConnection::deviceId)
                .containsExactly("mac");
    }

    @Test
    void nothingExpiresWhileThisPodsOwnHeartbeatsAreSilentTooForThatIsAKafkaOutage() {
        directory.heartbeat("self", 50, 1_000);
        directory.heartbeat("pod-a", 50, 1_000);
        directory.connected("alice", device("phone", "pod-a", 100), 1_000);

        assertThat(directory.expireSilentPods("self", 1_001 + TIMEOUT)).isEmpty();
        directory.heartbeat("self", 50, 1_001 + TIMEOUT);
        assertThat(directory.expireSilentPods("self", 1_001 + TIMEOUT)).hasSize(1);
    }

    @Test
    void aPodRestartedUnderTheSameIdEndsTheConnectionsOfItsEarlierLife() {
        directory.heartbeat("pod-a", 50, 1_000);
        directory.connected("alice", device("phone", "pod-a", 100), 1_000);

        assertThat(directory.heartbeat("pod-a", 50, 2_000)).as("same life").isEmpty();
        assertThat(directory.heartbeat("pod-a", 5_000, 6_000))
                .extracting(c -> c.userId() + "/" + c.device().deviceId()).containsExactly("alice/phone");
        directory.connected("alice", device("phone", "pod-a", 5_100), 6_000);
        assertThat(directory.devicesOf("alice", 6_000)).extracting(DeviceConnection::connectedAt).containsExactly(5_100L);
    }

    @Test
    void devicesAnnouncedWithoutAPodAreNotListed() {
        directory.connected("alice", device("phone", null, 100), 1_000);
        assertThat(directory.devicesOf("alice", 1_000)).isEmpty();
    }
}
