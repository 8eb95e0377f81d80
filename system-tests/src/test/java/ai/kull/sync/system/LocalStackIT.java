package ai.kull.sync.system;

import ai.kull.sync.process.FreePorts;
import ai.kull.sync.testing.ResilientDevice;
import ai.kull.sync.testing.TestDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/local/run.sh, the front door, over the launcher (deploy/local/stack): all seven processes come up healthy
 * with one ready line; README's walk-through works (a device connected through the balancer; kill its gateway with
 * the command and the device moves to the other pod while the rest keeps running; restart it, stop the other, the
 * device moves back); SIGTERM takes everything down.
 */
class LocalStackIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path RUN_DIR = ROOT.resolve("system-tests/target/local-stack");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern PROCESS = Pattern.compile("\\{\"name\":\"([^\"]+)\",\"kind\":\"(\\w+)\",\"port\":(\\d+),"
            + "\"url\":\"[^\"]+\",\"pid\":(\\d+),\"alive\":true,\"log\":\"[^\"]+\"}");

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final HttpClient http = HttpClient.newHttpClient();
    private Process stack;
    private Path output;
    private ResilientDevice device;

    /** A gateway of the stack. */
    private record Gateway(String name, int port) {
    }

    @Test
    void runScriptStartsEveryProcessHealthyAKilledGatewaysDeviceMovesAndTheRestKeepsRunning() throws Exception {
        List<Integer> ports = FreePorts.take(8);
        int kafka = ports.get(0);
        List<Integer> services = ports.subList(1, 7);
        int balancer = ports.get(7);
        output = Files.createTempFile("local-stack", ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", "deploy/local/run.sh")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("KAFKA_PORT", String.valueOf(kafka));
        builder.environment().put("GATEWAY_PORTS", services.get(0) + " " + services.get(1));
        builder.environment().put("CREDIT_PORT", String.valueOf(services.get(2)));
        builder.environment().put("SHOOT_PORT", String.valueOf(services.get(3)));
        builder.environment().put("PROMPT_PORT", String.valueOf(services.get(4)));
        builder.environment().put("PUBLISH_PORT", String.valueOf(services.get(5)));
        builder.environment().put("BALANCER_PORT", String.valueOf(balancer));
        builder.environment().put("RUN_DIR", RUN_DIR.toString());
        // The device below signs its tokens with the tests' secret.
        builder.environment().put("GATEWAY_AUTH_JWT_SECRET", TestDevice.SECRET);
        stack = builder.start();

        String ready = awaitOutput("STACK_READY {");
        List<String> names = new ArrayList<>();
        Matcher process = PROCESS.matcher(ready);
        while (process.find()) {
            names.add(process.group(1));
        }
        assertThat(names).as("the ready line: %s", ready).containsExactly("kafka", "gateway-" + services.get(0),
                "gateway-" + services.get(1), "credit-service", "shoot-service", "prompt-service", "publish-service");
        assertThat(ready).contains("\"bootstrap\":\"127.0.0.1:" + kafka + "\"")
                .contains("\"balancer\":\"ws://localhost:" + balancer + "/ws\"");
        for (int port : services) {
            assertReady(port);
        }
        assertConsoleAndItsCorsForTheLocalStackOnly(ports);

        List<Gateway> gateways = List.of(new Gateway("gateway-" + services.get(0), services.get(0)),
                new Gateway("gateway-" + services.get(1), services.get(1)));
        // README: a device (or the console) given the balancer's URL, as it would be given a Kubernetes Service's.
        ResilientDevice.Pod throughBalancer = pathAndQuery -> URI.create("ws://localhost:" + balancer + pathAndQuery);
        device = new ResilientDevice("local-stack-user", "phone", () -> List.of(throughBalancer), scheduler);
        device.connect();
        Gateway first = podOf(device.current());
        Gateway other = gateways.get(0).equals(first) ? gateways.get(1) : gateways.get(0);

        // README: deploy/local/stack kill gateway-8090, and the device moves to the other pod.
        assertThat(stackCommand("kill", first.name())).contains("\"alive\":false");
        awaitOutput("STACK_EXITED " + first.name() + " code=137");
        awaitDeviceOn(other);
        assertThat(FreePorts.listening(first.port())).isFalse();
        // The rest keeps running: the broker, the other gateway and the services serve; an update reaches the device.
        for (int port : services) {
            if (port != first.port()) {
                assertReady(port);
            }
        }
        assertThat(stackCommand("status")).containsPattern(first.name() + " +DOWN").containsPattern(other.name() + " +up")
                .containsPattern("kafka +up").containsPattern("publish-service +up");
        HttpResponse<String> credit = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + services.get(2)
                        + "/api/sync/credit-update")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"local-stack-user\",\"newBalance\":42,"
                        + "\"change\":42,\"reason\":\"while a pod was down\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(credit.statusCode()).as(credit.body()).isBetween(200, 299);
        await("the moved device receives the update").until(() -> device.balances().contains(42L));

        // ... restart it; stop the other (SIGTERM: it drains its sessions) and the device moves back.
        assertThat(stackCommand("restart", first.name())).contains("\"alive\":true");
        assertReady(first.port());
        assertThat(stackCommand("stop", other.name())).contains("\"alive\":false");
        awaitDeviceOn(first);
        assertThat(stackCommand("restart", other.name())).contains("\"alive\":true");
        assertReady(other.port());
        assertThat(Files.readString(output)).as("only the processes asked to exit did").doesNotContainPattern(
                "STACK_EXITED (kafka|credit-service|shoot-service|prompt-service|publish-service)");

        device.stop();
        stack.destroy(); // SIGTERM, as Ctrl-C or a supervisor would
        assertThat(stack.waitFor(120, TimeUnit.SECONDS)).as("run.sh exits").isTrue();
        assertThat(Files.readString(output)).contains("[stack] stopped");
        for (int port : ports) {
            assertThat(FreePorts.listening(port)).as("port %d closed after stop", port).isFalse();
        }
        assertThat(stackCommand(1, "status")).as("no stack left to control").contains("no stack runs from");
    }

    /** The gateway whose CONNECTION_ESTABLISHED this session got (its {@code pod} field). */
    private static Gateway podOf(TestDevice session) {
        String established = session.received.get(0);
        Matcher pod = Pattern.compile("\"pod\":\"gateway-(\\d+)\"").matcher(established);
        assertThat(pod.find()).as(established).isTrue();
        return new Gateway("gateway-" + pod.group(1), Integer.parseInt(pod.group(1)));
    }

    private void awaitDeviceOn(Gateway gateway) {
        await("the device reconnects on " + gateway.name()).until(() -> {
            TestDevice session = device.current();
            return session != null && !session.closeCode.isDone() && !session.received.isEmpty()
                    && podOf(session).equals(gateway);
        });
    }

    private void assertReady(int port) throws Exception {
        HttpResponse<String> ready = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as("ready on %d", port).isEqualTo(200);
        assertThat(ready.body()).contains("\"UP\"");
    }

    /** {@code deploy/local/stack <args> --run-dir D}, as a person types it in a second terminal; its output. */
    private static String stackCommand(String... args) throws Exception {
        return stackCommand(0, args);
    }

    private static String stackCommand(int expectedExit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "deploy/local/stack"));
        command.addAll(List.of(args));
        command.addAll(List.of("--run-dir", RUN_DIR.toString()));
        Process run = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String text = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(run.exitValue()).as("%s: %s", command, text).isEqualTo(expectedExit);
        return text;
    }

    /**
     * The console's URL is printed (with the services' non-default ports) and served by each gateway; the domain
     * services allow a browser page of the gateways' origins (the console's test commands), the gateways and the
     * services a page on localhost at any port (a web app's dev server), and no other origin.
     */
    private void assertConsoleAndItsCorsForTheLocalStackOnly(List<Integer> ports) throws Exception {
        List<Integer> services = ports.subList(1, 7);
        int gateway = services.get(0);
        String consoleUrl = "http://localhost:" + gateway + "/console/";
        assertThat(Files.readString(output)).contains("http://localhost:" + ports.get(7) + "/console/?credit=http://localhost:" + services.get(2))
                .contains(consoleUrl + "?credit=http://localhost:" + services.get(2)
                + "&shoot=http://localhost:" + services.get(3) + "&prompt=http://localhost:" + services.get(4));
        assertThat(Files.readString(output)).containsPattern("admin token +" + Files.readString(RUN_DIR.resolve("admin-token")).trim());
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(consoleUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Kull sync console</title>");

        for (int service : services.subList(2, 6)) {
            assertThat(preflightAllowedOrigin(service, "http://localhost:" + gateway)).as("console origin on %d", service)
                    .contains("http://localhost:" + gateway);
            assertThat(preflightAllowedOrigin(service, "http://example.com")).as("another origin on %d", service)
                    .isEmpty();
        }
        // A web app on its own dev server (any localhost port) may call every service and the gateways' HTTP API.
        for (int port : services) {
            assertThat(preflightAllowedOrigin(port, "http://localhost:5173")).as("a local app's origin on %d", port)
                    .contains("http://localhost:5173");
            assertThat(preflightAllowedOrigin(port, "http://example.com")).as("another origin on %d", port).isEmpty();
        }
    }

    private Optional<String> preflightAllowedOrigin(int port, String origin) throws Exception {
        HttpRequest preflight = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/sync/status"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .build();
        return http.send(preflight, HttpResponse.BodyHandlers.discarding()).headers().firstValue("Access-Control-Allow-Origin");
    }

    @AfterEach
    void killLeftovers() {
        if (device != null) {
            device.stop();
        }
        scheduler.shutdownNow();
        if (stack != null && stack.isAlive()) {
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    /** Waits until run.sh printed a line starting with {@code prefix} (failing early if it exits); that line. */
    private String awaitOutput(String prefix) throws Exception {
        await("run.sh prints " + prefix).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            String text = Files.readString(output);
            assertThat(stack.isAlive() || text.contains(prefix)).as("run.sh still running; output so far:%n%s", text)
                    .isTrue();
            return text.contains(prefix);
        });
        return Files.readString(output).lines().filter(line -> line.startsWith(prefix)).findFirst().orElseThrow();
    }
}
