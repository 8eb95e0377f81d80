package ai.kull.sync.system;

import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import ai.kull.sync.process.stack.AppLaunch;
import ai.kull.sync.process.stack.StackApps;
import ai.kull.sync.testing.ResilientDevice;
import ai.kull.sync.testing.TestDevice;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One packaged service (its quarkus-run.jar) running as its own process, as a pod would; started from the stack's
 * one definition ({@link StackApps}: the command, JVM options and settings the local stack, the clients' tests and
 * the benchmark use too), with the tests' own settings added.
 */
final class AppProcess implements AutoCloseable, ResilientDevice.Pod {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** The stack's process definitions; inside ./mvnw verify the jars are fresh by construction, run on their own the tests refuse a stale one. */
    private static final StackApps APPS = StackApps.of(ROOT);
    /** The service credential the domain services are started with. */
    static final String API_KEY = "system-test-api-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The gateway's pod id, or the service's module name. */
    final String podId;
    final int port;
    final Process process;
    final Path log;
    private final AppLaunch app;
    private final ManagedProcess launched;

    private AppProcess(AppLaunch app, ManagedProcess launched, Path log) {
        this.app = app;
        this.podId = app.name();
        this.port = app.port();
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
        return launch(APPS.gateway(podId, FreePorts.take(), bootstrap, TestDevice.SECRET).env(env).maxHeap(maxHeap));
    }

    /** Starts a domain service ({@code credit-service}, ...) that accepts {@link #API_KEY}. */
    static AppProcess service(String module, String bootstrap) throws IOException {
        return launch(APPS.service(module, FreePorts.take(), bootstrap, TestDevice.SECRET)
                .env("SYNC_SERVICE_API_KEYS", API_KEY));
    }

    /** The publish team's key the publish service is started with (team notifications of teams-example.json). */
    static final String PUBLISH_KEY = "system-test-notifications-key";

    /** Starts the publish service with the example team and {@link #PUBLISH_KEY}; {@code env} adds or overrides. */
    static AppProcess publishService(String bootstrap, Map<String, String> env) throws IOException {
        return launch(APPS.service("publish-service", FreePorts.take(), bootstrap, TestDevice.SECRET)
                .env("PUBLISH_TEAM_KEYS", "notifications=" + PUBLISH_KEY).env(env));
    }

    private static AppProcess launch(AppLaunch app) throws IOException {
        Path log = ROOT.resolve("system-tests/target/" + app.name() + ".log");
        return new AppProcess(app, app.start(log), log);
    }

    void awaitReady(Duration timeout) throws Exception {
        try {
            app.awaitReady(launched, timeout);
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
