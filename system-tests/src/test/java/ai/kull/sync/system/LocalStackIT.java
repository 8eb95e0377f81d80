package ai.kull.sync.system;

import ai.kull.sync.process.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/** deploy/local/run.sh, the front door, brings all seven processes up healthy and takes them down. */
class LocalStackIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private Process stack;

    @Test
    void runScriptStartsEveryProcessHealthyAndStopsThemAll() throws Exception {
        List<Integer> ports = FreePorts.take(7);
        int kafka = ports.get(0);
        List<Integer> services = ports.subList(1, 7);
        Path output = Files.createTempFile("local-stack", ".log");
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
        builder.environment().put("RUN_DIR", ROOT.resolve("system-tests/target/local-stack").toString());
        stack = builder.start();

        awaitLine(output, "LOCAL_STACK_READY");

        HttpClient http = HttpClient.newHttpClient();
        for (int port : services) {
            HttpResponse<String> ready = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("ready on %d", port).isEqualTo(200);
            assertThat(ready.body()).contains("\"UP\"");
        }

        assertConsoleAndItsCorsForTheLocalStackOnly(http, output, services);

        stack.destroy(); // SIGTERM, as Ctrl-C or a supervisor would
        assertThat(stack.waitFor(90, TimeUnit.SECONDS)).as("run.sh exits").isTrue();
        assertThat(Files.readString(output)).contains("stopped");
        for (int port : ports) {
            assertThat(FreePorts.listening(port)).as("port %d closed after stop", port).isFalse();
        }
    }

    /**
     * The console's URL is printed (with the services' non-default ports) and served by each gateway; the domain
     * services allow a browser page of the gateways' origins (the console's test commands), the gateways and the
     * services a page on localhost at any port (a web app's dev server), and no other origin.
     */
    private void assertConsoleAndItsCorsForTheLocalStackOnly(HttpClient http, Path output, List<Integer> services) throws Exception {
        int gateway = services.get(0);
        String consoleUrl = "http://localhost:" + gateway + "/console/";
        assertThat(Files.readString(output)).contains(consoleUrl + "?credit=http://localhost:" + services.get(2)
                + "&shoot=http://localhost:" + services.get(3) + "&prompt=http://localhost:" + services.get(4));
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(consoleUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Kull sync console</title>");

        for (int service : services.subList(2, 6)) {
            assertThat(preflightAllowedOrigin(http, service, "http://localhost:" + gateway)).as("console origin on %d", service)
                    .contains("http://localhost:" + gateway);
            assertThat(preflightAllowedOrigin(http, service, "http://example.com")).as("another origin on %d", service)
                    .isEmpty();
        }
        // A web app on its own dev server (any localhost port) may call every service and the gateways' HTTP API.
        for (int port : services) {
            assertThat(preflightAllowedOrigin(http, port, "http://localhost:5173")).as("a local app's origin on %d", port)
                    .contains("http://localhost:5173");
            assertThat(preflightAllowedOrigin(http, port, "http://example.com")).as("another origin on %d", port).isEmpty();
        }
    }

    private static Optional<String> preflightAllowedOrigin(HttpClient http, int port, String origin) throws Exception {
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
        if (stack != null && stack.isAlive()) {
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    private void awaitLine(Path output, String line) throws Exception {
        await("run.sh prints " + line).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            String text = Files.readString(output);
            assertThat(stack.isAlive() || text.contains(line)).as("run.sh still running; output so far:%n%s", text)
                    .isTrue();
            return text.contains(line);
        });
    }
}
