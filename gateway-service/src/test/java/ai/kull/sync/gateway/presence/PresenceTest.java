package ai.kull.sync.gateway.presence;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.events.payload.PodHeartbeat;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static ai.kull.sync.testing.Waits.await;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * Presence on one real gateway: the device list, a silent pod's devices reported offline, dead peers
 * closed. (Several gateway processes and a killed pod: system-tests' GatewayClusterIT.)
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class PresenceTest extends GatewayTest {

    @Inject
    GatewayProducer heartbeats;

    @Test
    void theDeviceListShowsConnectedDevicesToTheirUserOnly() throws Exception {
        String user = unique("list");
        try (TestDevice mac = device("/ws", user, "mac", List.of());
             TestDevice phone = device("/ws", user, "phone", List.of())) {
            mac.next("DEVICE_CONNECTED");
            Response list = awaitDevices(user, 2);
            assertThat(list.jsonPath().getList("devices.deviceId")).containsExactlyInAnyOrder("mac", "phone");
            assertThat(list.jsonPath().getList("devices.pod")).containsOnly("test-pod");
            given().get("/api/sync/status").then().statusCode(200)
                    .body("sessions", greaterThanOrEqualTo(2));

            given().get("/api/users/" + user + "/devices").then().statusCode(401)
                    .body("code", equalTo("UNAUTHENTICATED"));
            given().header("Authorization", "Bearer " + token(unique("other"), "x", List.of()))
                    .get("/api/users/" + user + "/devices").then().statusCode(403)
                    .body("code", equalTo("FORBIDDEN"));
        }
        awaitDevices(user, 0);
    }

    @Test
    void aPodThatGoesSilentHasItsDevicesReportedOffline() throws Exception {
        String user = unique("ghost");
        try (TestDevice mac = device("/ws", user, "mac", List.of())) {
            mac.next("CONNECTION_ESTABLISHED");
            long now = System.currentTimeMillis();
            // Another pod's heartbeat, as a gateway publishes it (not through common-events' public publisher).
            heartbeats.publishPodHeartbeat(new PodHeartbeat("ghost-pod", now, 1_000L)).get(10, TimeUnit.SECONDS);
            publisher.publishExceptDevice(user, "ghost-phone", Envelope.of(MessageType.DEVICE_CONNECTED,
                    new DeviceConnection("ghost-phone", "ios", "iPhone", now, "ghost-pod"), user, "ghost-phone"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(mac.next("DEVICE_CONNECTED")).contains("ghost-phone");
            assertThat(awaitDevices(user, 2).jsonPath().getList("devices.deviceId")).contains("ghost-phone");

            // The ghost pod sends no more heartbeats: within the pod timeout (3 s in tests) it is gone.
            long silentSince = System.currentTimeMillis();
            String offline = mac.next("DEVICE_DISCONNECTED");
            long detectedAfter = System.currentTimeMillis() - silentSince;
            assertThat(offline).contains("\"deviceId\":\"ghost-phone\"", "\"pod\":\"ghost-pod\"");
            assertThat(awaitDevices(user, 1).jsonPath().getList("devices.deviceId")).containsExactly("mac");
            System.out.printf("silent pod's device reported offline after %d ms%n", detectedAfter);
        }
    }

    @Test
    void aPeerThatStopsAnsweringPingsIsClosedAndReportedOffline() throws Exception {
        String user = unique("silent");
        try (TestDevice mac = device("/ws", user, "mac", List.of());
             SilentPeer peer = SilentPeer.connect(base.getHost(), base.getPort(),
                     "/ws?token=" + token(user, "vanished-phone", List.of()))) {
            assertThat(mac.next("DEVICE_CONNECTED")).contains("vanished-phone");

            assertThat(peer.awaitCloseCode()).isEqualTo(CloseCodes.IDLE_TIMEOUT);
            peer.close(); // the path is gone: no close handshake from the device
            assertThat(mac.next("DEVICE_DISCONNECTED")).contains("vanished-phone");
            assertThat(given().get("/q/metrics").asString()).contains("sync_gateway_sessions_closed_total{code=\"4000\"}");
        }
    }

    private Response awaitDevices(String user, int count) throws Exception {
        String token = token(user, "lister", List.of());
        return await(user + " lists " + count + " devices").until(() -> {
            Response response = given().header("Authorization", "Bearer " + token).get("/api/users/" + user + "/devices");
            assertThat(response.statusCode()).isEqualTo(200);
            return response;
        }, response -> response.jsonPath().getList("devices").size() == count);
    }

    /** A WebSocket client that completes the upgrade, then never answers a ping: a device whose path died. */
    static final class SilentPeer implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;

        private SilentPeer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
        }

        static SilentPeer connect(String host, int port, String pathAndQuery) throws IOException {
            Socket socket = new Socket(host, port);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SilentPeer peer = new SilentPeer(socket);
            String status = peer.readHeaders();
            assertThat(status).contains(" 101 ");
            return peer;
        }

        private String readHeaders() throws IOException {
            StringBuilder headers = new StringBuilder();
            while (!headers.toString().endsWith("\r\n\r\n")) {
                headers.append((char) in.readUnsignedByte());
            }
            return headers.toString();
        }

        /** Reads (and ignores) server frames, pings included, until the close frame; returns its code. */
        int awaitCloseCode() throws IOException {
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                long length = in.readUnsignedByte() & 0x7F; // server frames are not masked
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                if (opcode == 0x8) {
                    return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
