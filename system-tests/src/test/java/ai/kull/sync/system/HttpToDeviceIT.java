package ai.kull.sync.system;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.Ids;
import ai.kull.sync.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each event type from the domain service's HTTP trigger to a WebSocket device through a gateway pod,
 * every process packaged and separate: the path other teams and the seeds' web app use.
 */
class HttpToDeviceIT {

    private static final Duration READY = Duration.ofSeconds(90);

    private static LocalKafkaBroker broker;
    private static AppProcess gateway;
    private static AppProcess credits;
    private static AppProcess shoots;
    private static AppProcess prompts;

    private final List<TestDevice> devices = new ArrayList<>();

    @BeforeAll
    static void startStack() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        gateway = AppProcess.start("gateway-http", broker.bootstrapServers(), Map.of());
        credits = AppProcess.service("credit-service", broker.bootstrapServers());
        shoots = AppProcess.service("shoot-service", broker.bootstrapServers());
        prompts = AppProcess.service("prompt-service", broker.bootstrapServers());
        for (AppProcess process : List.of(gateway, credits, shoots, prompts)) {
            process.awaitReady(READY);
        }
    }

    @AfterAll
    static void stopStack() throws Exception {
        for (AppProcess process : new AppProcess[] {gateway, credits, shoots, prompts}) {
            if (process != null) {
                process.close();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void disconnect() {
        devices.forEach(TestDevice::close);
    }

    @Test
    void creditUpdateReachesTheUsersDevices() throws Exception {
        String user = unique("user");
        TestDevice phone = connect(user, "phone");

        HttpResponse<String> posted = credits.post("/api/sync/credit-update",
                "{\"userId\":\"" + user + "\",\"newBalance\":1000,\"change\":100,\"reason\":\"Credit purchase\"}", Map.of());

        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        assertThat(phone.next("CREDIT_UPDATE")).contains("\"newBalance\":1000", "\"reason\":\"Credit purchase\"");
    }

    @Test
    void shootProgressReachesTheUsersDevicesAndDeviceProgressReachesShootService() throws Exception {
        String user = unique("user");
        String shoot = unique("shoot");
        TestDevice phone = connect(user, "phone");
        TestDevice mac = connect(user, "mac");

        HttpResponse<String> posted = shoots.post("/api/sync/shoot-progress", "{\"userId\":\"" + user
                + "\",\"shootId\":\"" + shoot + "\",\"status\":\"processing\",\"processedCount\":15,"
                + "\"totalCount\":100,\"provider\":\"Local\"}", Map.of());

        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        assertThat(phone.next("SHOOT_PROGRESS")).contains("\"shootId\":\"" + shoot + "\"", "\"processedCount\":15");

        mac.send("{\"type\":\"UPDATE_PROGRESS\",\"payload\":{\"shootId\":\"" + shoot + "\",\"status\":\"processing\","
                + "\"processedCount\":40,\"totalCount\":100,\"provider\":\"Local\"}}");
        assertThat(phone.next("SHOOT_PROGRESS")).contains("\"processedCount\":40");
        awaitBody(shoots, "/api/shoots/" + shoot + "/progress", "\"processedCount\":40");
    }

    @Test
    void promptChangeReachesListedUsersOnlyOrEveryone() throws Exception {
        String listed = unique("listed");
        String other = unique("other");
        TestDevice listedPhone = connect(listed, "phone");
        TestDevice otherPhone = connect(other, "phone");
        String targeted = unique("prompt");
        String everyone = unique("prompt");

        HttpResponse<String> toListed = prompts.post("/api/sync/prompt-change",
                "{\"promptId\":\"" + targeted + "\",\"action\":\"updated\",\"userIds\":[\"" + listed + "\"]}", Map.of());
        HttpResponse<String> toAll = prompts.post("/api/sync/prompt-change",
                "{\"promptId\":\"" + everyone + "\",\"action\":\"created\"}", Map.of());

        assertThat(toListed.statusCode()).as(toListed.body()).isEqualTo(200);
        assertThat(toAll.statusCode()).as(toAll.body()).isEqualTo(200);
        assertThat(listedPhone.next("PROMPT_CHANGE", targeted)).contains("\"action\":\"updated\"");
        assertThat(listedPhone.next("PROMPT_CHANGE", everyone)).contains("\"action\":\"created\"");
        assertThat(otherPhone.next("PROMPT_CHANGE", everyone)).contains("\"action\":\"created\"");
        assertThat(otherPhone.received).noneMatch(frame -> frame.contains(targeted));
    }

    private TestDevice connect(String user, String deviceId) throws Exception {
        TestDevice device = TestDevice.connect(gateway.ws("/ws?token="
                + TestDevice.token(user, deviceId, Duration.ofMinutes(10), TestDevice.SECRET, List.of())));
        devices.add(device);
        device.next("CONNECTION_ESTABLISHED");
        return device;
    }

    private static void awaitBody(AppProcess service, String path, String expected) throws Exception {
        await(path + " contains " + expected).until(() -> service.get(path, null, Map.of("X-Api-Key", AppProcess.API_KEY)),
                response -> response.statusCode() == 200 && response.body().contains(expected));
    }

    private static String unique(String prefix) {
        return Ids.unique(prefix);
    }
}
