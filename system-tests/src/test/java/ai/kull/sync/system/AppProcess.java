package ai.kull.sync.system;

import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import ai.kull.sync.testing.ResilientDevice;
import ai.kull.sync.testing.TestDevice;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One packaged service (its quarkus-run.jar) running as its own process, as a pod would; started by
 * {@link ManagedProcess}, the launcher the benchmark uses too.
 */
final class AppProcess implements AutoCloseable, ResilientDevice.Pod {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** The service credential the domain services are started with. */
    static final String API_KEY = "system-test-api-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The gateway's pod id, or the service's module name. */
    final String podId;
    final int port;
    final Process process;
    final Path log;
    private final ManagedProcess launched;

    private AppProcess(String podId, int port, ManagedProcess launched, Path log) {
        this.podId = podId;
        this.port = port;
        this.launched = launched;
        this.process = launched.process();
        this.log = log;
    }

    /** Closes each of {@code resources} that exists, in order (pods before the broker): every cluster test's teardown. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    /**
     * Starts a gateway verifying tokens signed with {@link TestDevice#SECRET}; {@code env} adds or overrides
     * settings (e.g. {@code GATEWAY_DRAIN_PERIOD}).
     */
    static AppProcess start(String podId, String bootstrap, Map<String, String> env) throws IOException {
        return start(podId, bootstrap, env, "256m");
    }

    /** As {@link #start(String, String, Map)}, with the JVM's maximum heap ({@code -Xmx}), e.g. {@code 128m}. */
    static AppProcess start(String podId, String bootstrap, Map<String, String> env, String maxHeap)
            throws IOException {
        Map<String, String> gateway = new HashMap<>(Map.of("GATEWAY_POD_ID", podId,
                "GATEWAY_AUTH_JWT_SECRET", TestDevice.SECRET));
        gateway.putAll(env);
        return launch("gateway-service", podId, bootstrap, gateway, maxHeap);
    }

    /** Starts a domain service ({@code credit-service}, ...) that accepts {@link #API_KEY}. */
    static AppProcess service(String module, String bootstrap) throws IOException {
        return launch(module, module, bootstrap, Map.of("SYNC_SERVICE_API_KEYS", API_KEY), "256m");
    }

    /** The publish team's key the publish service is started with (team notifications of teams-example.json). */
    static final String PUBLISH_KEY = "system-test-notifications-key";

    /** Starts the publish service with the example team and {@link #PUBLISH_KEY}; {@code env} adds or overrides. */
    static AppProcess publishService(String bootstrap, Map<String, String> env) throws IOException {
        Map<String, String> settings = new HashMap<>(Map.of(
                "PUBLISH_TEAMS_FILE", ROOT.resolve("publish-service/src/main/resources/teams-example.json").toString(),
                "PUBLISH_TEAM_KEYS", "notifications=" + PUBLISH_KEY));
        settings.putAll(env);
        return launch("publish-service", "publish-service", bootstrap, settings, "256m");
    }

    private static AppProcess launch(String module, String name, String bootstrap, Map<String, String> env,
                                     String maxHeap) throws IOException {
        int port = FreePorts.take();
        Path log = ROOT.resolve("system-tests/target/" + name + ".log");
        Map<String, String> environment = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap));
        environment.putAll(env);
        // Inside ./mvnw verify the jar is fresh by construction; run on their own, the tests refuse a stale one.
        ManagedProcess process = ManagedProcess.quarkusApp(ROOT, module, name, port, environment,
                List.of("-Xmx" + maxHeap), log);
        return new AppProcess(name, port, process, log);
    }

    void awaitReady(Duration timeout) throws Exception {
        try {
            launched.awaitHttpOk(URI.create("http://localhost:" + port + "/q/health/ready"), timeout);
        } catch (ProcessFailure failure) {
            throw new AssertionError(failure.getMessage());
        }
    }

    @Override
    public URI ws(String pathAndQuery) {
        return URI.create("ws://localhost:" + port + pathAndQuery);
    }

    HttpResponse<String> get(String path, String bearerToken) throws IOException, InterruptedException {
        return get(path, bearerToken, Map.of());
    }

    HttpResponse<String> get(String path, String bearerToken, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs JSON with the service credential and the given extra headers. */
    HttpResponse<String> post(String path, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        return HTTP.send(postRequest(path, json, headers), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String json) {
        return HTTP.sendAsync(postRequest(path, json, Map.of()), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs JSON with the given Authorization header (a publish team's key) instead of the service credential. */
    CompletableFuture<HttpResponse<String>> postAsync(String path, String json, String authorization) {
        return HTTP.sendAsync(postRequest(path, json, Map.of("Authorization", authorization)),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest postRequest(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return request.build();
    }

    /** SIGKILL: the pod vanishes without closing anything, like a crashed node. */
    void kill() throws InterruptedException {
        launched.kill();
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
