package ai.kull.sync.system;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.Ids;
import ai.kull.sync.testing.TestDevice;
import ai.kull.sync.testing.Waits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another team publishes over HTTP, as a team without Java would: the README's curl command, the shell example and
 * the Node batch example run as they are written against a packaged publish service and a gateway pod, each a
 * process of its own, and real WebSocket devices get each event once: to a user, one device, all but one device, an
 * organization and everyone. A retried batch (same idempotency keys) delivers nothing twice, and a type the team does
 * not own is refused.
 */
class PublishApiIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalKafkaBroker broker;
    private static AppProcess gateway;
    private static AppProcess publisher;

    private final List<TestDevice> devices = new ArrayList<>();

    @BeforeAll
    static void startStack() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        gateway = AppProcess.start("gateway-publish", broker.bootstrapServers(), Map.of());
        publisher = AppProcess.publishService(broker.bootstrapServers(), Map.of());
        gateway.awaitReady(READY);
        publisher.awaitReady(READY);
    }

    @AfterAll
    static void stopStack() throws Exception {
        AppProcess.closeAll(gateway, publisher, broker);
    }

    @AfterEach
    void disconnect() {
        devices.forEach(TestDevice::close);
    }

    @Test
    void theReadmesCurlCommandReachesEveryDeviceOfTheUserOnce() throws Exception {
        String user = Ids.unique("readme");
        TestDevice phone = connect(user, "iphone_456", "/ws");
        TestDevice laptop = connect(user, "laptop", "/ws");

        String command = readmeCurl()
                .replace("http://localhost:8084", "http://localhost:" + publisher.port)
                .replace("local-notifications-key", AppProcess.PUBLISH_KEY)
                .replace("user_123", user);
        Result curl = run(List.of("bash", "-c", command), Map.of());

        assertThat(curl.exit).as(curl.output).isZero();
        assertThat(curl.output).contains("\"duplicate\":false");
        String id = field(curl.output, "id");
        for (TestDevice device : List.of(phone, laptop)) {
            assertThat(device.next("NOTIFICATION_NEW", id)).contains("\"title\":\"Your export is ready\"",
                    "\"userId\":\"" + user + "\"");
        }
        Result again = run(List.of("bash", "-c", command), Map.of());
        assertThat(again.output).contains("\"duplicate\":true").contains(id);
        assertDeliveredOnce(id, phone, laptop);
    }

    /** The same command with a browser tab of the user open (the live console in headless Chromium): it shows the event. */
    @Test
    void theReadmesCurlCommandShowsInABrowserTabOfTheUser() throws Exception {
        String user = Ids.unique("tab");
        String command = readmeCurl()
                .replace("http://localhost:8084", "http://localhost:" + publisher.port)
                .replace("local-notifications-key", AppProcess.PUBLISH_KEY)
                .replace("user_123", user)
                .replace("export-42", Ids.unique("export"));
        Result browser = run(List.of("node", AppProcess.ROOT.resolve("system-tests/src/test/node/readme-curl-in-a-browser.mjs")
                        .toString()),
                Map.of("CONSOLE_URL", "http://localhost:" + gateway.port + "/console/", "CURL", command,
                        "DEVICE_TOKEN", TestDevice.token(user, "laptop", Duration.ofMinutes(10), TestDevice.SECRET, List.of())));

        assertThat(browser.exit).as(browser.output).isZero();
        assertThat(browser.output).contains("SHOWN").contains("Your export is ready");
    }

    @Test
    void theShellExampleAndTheNodeBatchReachEachKindOfRecipientOnce() throws Exception {
        String user = Ids.unique("team");
        String org = Ids.unique("org");
        TestDevice phone = connect(user, "iphone_456", "/ws");
        TestDevice web = connect(user, "web_1", "/ws");
        TestDevice colleague = connect(Ids.unique("colleague"), "mac", "/api/ws/sync/" + org, org);
        TestDevice stranger = connect(Ids.unique("stranger"), "tab", "/ws");

        Result shell = run(List.of("bash", AppProcess.ROOT.resolve("publish-service/examples/publish.sh").toString()),
                Map.of("PUBLISH_URL", "http://localhost:" + publisher.port, "PUBLISH_KEY", AppProcess.PUBLISH_KEY,
                        "USER_ID", user, "IDEMPOTENCY_KEY", Ids.unique("shell")));
        assertThat(shell.exit).as(shell.output).isZero();
        String shellId = field(shell.output, "id");
        phone.next("NOTIFICATION_NEW", shellId);
        web.next("NOTIFICATION_NEW", shellId);

        String run = Ids.unique("run");
        Map<String, String> env = Map.of("PUBLISH_URL", "http://localhost:" + publisher.port,
                "PUBLISH_KEY", AppProcess.PUBLISH_KEY, "USER_ID", user, "ORG_ID", org, "RUN_ID", run);
        Result node = run(List.of("node", AppProcess.ROOT.resolve("publish-service/examples/publish-batch.mjs").toString()), env);
        assertThat(node.exit).as(node.output).isZero();
        List<String> ids = ids(node.output);
        assertThat(ids).hasSize(5);
        String all = ids.get(0), one = ids.get(1), others = ids.get(2), toOrg = ids.get(3), everyone = ids.get(4);

        phone.next("NOTIFICATION_NEW", all);
        web.next("NOTIFICATION_NEW", all);
        phone.next("NOTIFICATION_NEW", one);
        web.next("NOTIFICATION_SEEN", others);
        colleague.next("NOTIFICATION_NEW", toOrg);
        // "Everyone" travels on another topic than the user's and the org's events, with no order between them: it
        // may have come before a frame awaited above (next() skips what it passes), so it is looked for in all received.
        for (TestDevice device : List.of(phone, web, colleague, stranger)) {
            Waits.await("the broadcast on " + device).until(() -> device.received.stream().anyMatch(frame ->
                    frame.contains("\"type\":\"NOTIFICATION_NEW\"") && frame.contains(everyone)
                            && frame.contains("Maintenance at 22:00")));
        }

        Result retry = run(List.of("node", AppProcess.ROOT.resolve("publish-service/examples/publish-batch.mjs").toString()), env);
        assertThat(retry.exit).as(retry.output).isZero();
        assertThat(ids(retry.output)).isEqualTo(ids);
        assertThat(retry.output).doesNotContain("\"duplicate\":false");

        // A marker published after the retry: once it has arrived, anything the retry sent would have too.
        Result marker = run(List.of("bash", AppProcess.ROOT.resolve("publish-service/examples/publish.sh").toString()),
                Map.of("PUBLISH_URL", "http://localhost:" + publisher.port, "PUBLISH_KEY", AppProcess.PUBLISH_KEY,
                        "USER_ID", user, "IDEMPOTENCY_KEY", Ids.unique("marker")));
        String markerId = field(marker.output, "id");
        phone.next("NOTIFICATION_NEW", markerId);
        web.next("NOTIFICATION_NEW", markerId);
        assertDeliveredOnce(all, phone, web);
        assertDeliveredOnce(everyone, phone, web);
        assertThat(count(phone, others)).as("all but the phone").isZero();
        assertThat(count(web, one)).as("only the phone").isZero();
        assertThat(count(stranger, all)).as("another user's").isZero();
        assertThat(count(stranger, toOrg)).as("an org the stranger did not join").isZero();
    }

    @Test
    void aTypeTheTeamDoesNotOwnIsRefusedAndNothingIsDelivered() throws Exception {
        String user = Ids.unique("foreign");
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + publisher.port + "/api/sync/events"))
                .header("Authorization", "Bearer " + AppProcess.PUBLISH_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"CREDIT_UPDATE\",\"to\":{\"userId\":\"" + user
                        + "\"},\"data\":{\"newBalance\":1000000}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("\"code\":\"TYPE_NOT_OWNED\"").doesNotContain("Exception");
    }

    private TestDevice connect(String user, String deviceId, String path, String... orgs) throws Exception {
        TestDevice device = TestDevice.connect(gateway.ws(path + "?token="
                + TestDevice.token(user, deviceId, Duration.ofMinutes(10), TestDevice.SECRET, List.of(orgs))));
        devices.add(device);
        device.next("CONNECTION_ESTABLISHED");
        return device;
    }

    private static void assertDeliveredOnce(String id, TestDevice... devices) {
        for (TestDevice device : devices) {
            assertThat(count(device, id)).as("deliveries of %s", id).isEqualTo(1);
        }
    }

    private static long count(TestDevice device, String id) {
        return device.received.stream().filter(frame -> frame.contains("\"id\":\"" + id + "\"")).count();
    }

    /** The first ```bash block of the README's section on the publish API: the command a new team copies. */
    static String readmeCurl() throws IOException {
        String readme = Files.readString(AppProcess.ROOT.resolve("README.md"));
        int section = readme.indexOf("## Publish events from your backend");
        assertThat(section).as("README section").isNotNegative();
        int start = readme.indexOf("```bash\n", section) + "```bash\n".length();
        String block = readme.substring(start, readme.indexOf("```", start));
        assertThat(block).startsWith("curl ");
        return block;
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(matcher.find()).as(json).isTrue();
        return matcher.group(1);
    }

    private static List<String> ids(String json) {
        List<String> ids = new ArrayList<>();
        Matcher matcher = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(json);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        return ids;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Map<String, String> env) throws Exception {
        Path output = Files.createTempFile("publish-example", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
