package ai.kull.sync.system;

import ai.kull.sync.gateway.websocket.TestDevice;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** One packaged gateway (quarkus-run.jar) running as its own process, as a pod would. */
final class GatewayProcess implements AutoCloseable {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = ROOT.resolve("gateway-service/target/quarkus-app/quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String podId;
    final int port;
    final Process process;
    final Path log;

    private GatewayProcess(String podId, int port, Process process, Path log) {
        this.podId = podId;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a gateway verifying tokens signed with {@link TestDevice#SECRET}; {@code env} adds or overrides
     * settings (e.g. {@code GATEWAY_DRAIN_PERIOD}).
     */
    static GatewayProcess start(String podId, String bootstrap, Map<String, String> env) throws IOException {
        return start(podId, bootstrap, env, "256m");
    }

    /** As {@link #start(String, String, Map)}, with the JVM's maximum heap ({@code -Xmx}), e.g. {@code 128m}. */
    static GatewayProcess start(String podId, String bootstrap, Map<String, String> env, String maxHeap)
            throws IOException {
        int port = TestPorts.free(1).get(0);
        Path log = ROOT.resolve("system-tests/target/" + podId + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx" + maxHeap, "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("HTTP_PORT", String.valueOf(port));
        environment.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        environment.put("GATEWAY_POD_ID", podId);
        environment.put("GATEWAY_AUTH_JWT_SECRET", TestDevice.SECRET);
        environment.putAll(env);
        return new GatewayProcess(podId, port, builder.start(), log);
    }

    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(podId + " exited:\n" + Files.readString(log));
            }
            try {
                if (get("/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError(podId + " not ready within " + timeout + ":\n" + Files.readString(log));
    }

    URI ws(String pathAndQuery) {
        return URI.create("ws://localhost:" + port + pathAndQuery);
    }

    HttpResponse<String> get(String path, String bearerToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: the pod vanishes without closing anything, like a crashed node. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM, as Kubernetes sends before removing a pod. */
    void terminate() {
        process.destroy();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
