package ai.kull.sync.deploy.helm;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.process.Freshness;
import ai.kull.sync.process.ManagedProcess;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pod without Kubernetes: each packaged service (quarkus-run.jar, as the image runs it) is started with exactly
 * the environment the chart gives its container (ConfigMap, downward API, Secret keys resolved the way the kubelet
 * would), JVM options from JAVA_OPTS_APPEND, against a real broker. Then the chart's probe paths must answer, and
 * on SIGTERM the gateway must go unready, close its sessions with 1012 and exit within the grace period the chart
 * computed minus the preStop pause. Only the port differs from a pod (a free one here).
 */
class ChartPodIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** What the Secrets named by the render hold, by key. */
    private static final Map<String, String> SECRETS = Map.of(
            "jwt-secret", "chart-pod-it-secret-0123456789abcdefghijkl",
            "api-keys", "chart-pod-it-api-key");

    private static LocalKafkaBroker broker;
    private static Rendered render;

    @BeforeAll
    static void start() {
        broker = LocalKafkaBroker.startEphemeral();
        render = Rendered.of(Chart.Render.of("1.31.0", "dev.yaml").set("auth.existingSecret", "kull-sync-auth"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theGatewayStartsWithTheChartsEnvironmentAndDrainsWithinItsGracePeriod() throws Exception {
        Deployment deployment = render.deployment("gateway").orElseThrow();
        Container container = Rendered.container(deployment);
        int grace = ChartInvariantsTest.grace(deployment);
        int preStop = ChartInvariantsTest.preStopSeconds(container, "1.31.0");
        try (Pod pod = Pod.start("gateway-service", deployment)) {
            pod.awaitProbes(container);
            CompletableFuture<String> established = new CompletableFuture<>();
            CompletableFuture<Integer> closeCode = new CompletableFuture<>();
            HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://localhost:" + pod.port + "/ws?token=user_1:device_1"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            established.complete(data.toString());
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closeCode.complete(statusCode);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertThat(established.get(10, TimeUnit.SECONDS)).contains("CONNECTION_ESTABLISHED");

            long terminated = System.nanoTime();
            pod.process.process().destroy(); // SIGTERM, after the preStop pause in a cluster
            // While it drains the pod answers its readiness probe unready (the Service sends it nothing new), rather
            // than just vanishing: a 503 from a live process. How soon is printed, not asserted (a shared machine).
            AtomicInteger readiness = new AtomicInteger();
            await().atMost(Duration.ofSeconds(grace - preStop)).pollInterval(Duration.ofMillis(50)).until(() -> {
                readiness.set(pod.status(container.getReadinessProbe()));
                return readiness.get() != 200;
            });
            double unready = (System.nanoTime() - terminated) / 1e9;
            assertThat(readiness.get()).as("readiness while draining (-1: the pod was gone before it said unready)").isEqualTo(503);
            assertThat(closeCode.get(grace - preStop, TimeUnit.SECONDS)).as("close code of a drained session").isEqualTo(1012);
            pod.process.awaitExit(Duration.ofSeconds(grace - preStop)); // else the kubelet kills it: fails here
            double seconds = (System.nanoTime() - terminated) / 1e9;
            System.out.printf("CHART_POD gateway unready %.1f s, drained and exited %.1f s after SIGTERM (drain %s, grace %d s, preStop %d s)%n",
                    unready, seconds, pod.env.get("GATEWAY_DRAIN_PERIOD"), grace, preStop);
        }
    }

    @Test
    void eachDomainServiceStartsWithTheChartsEnvironmentAndStopsWithinItsGracePeriod() throws Exception {
        for (String component : List.of("credit-service", "shoot-service", "prompt-service", "publish-service")) {
            Deployment deployment = render.deployment(component).orElseThrow();
            Container container = Rendered.container(deployment);
            int grace = ChartInvariantsTest.grace(deployment);
            int preStop = ChartInvariantsTest.preStopSeconds(container, "1.31.0");
            try (Pod pod = Pod.start(component, deployment)) {
                pod.awaitProbes(container);
                HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + pod.port + "/api/sync/status")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(status.body()).contains(component);
                pod.process.process().destroy();
                pod.process.awaitExit(Duration.ofSeconds(grace - preStop));
            }
        }
    }

    /** One container of a render, run as a process the way the image's ENTRYPOINT runs it. */
    private record Pod(ManagedProcess process, int port, Map<String, String> env) implements AutoCloseable {

        static Pod start(String module, Deployment deployment) throws IOException {
            Container container = Rendered.container(deployment);
            String podName = deployment.getMetadata().getName() + "-5d8f7c9b6-x2x7q";
            Map<String, String> env = render.env(deployment, var -> {
                if (var.getValueFrom().getFieldRef() != null) {
                    assertThat(var.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
                    return podName;
                }
                String key = var.getValueFrom().getSecretKeyRef().getKey();
                assertThat(SECRETS).as("secret key %s", key).containsKey(key);
                return SECRETS.get(key);
            });
            assertThat(env.get("HTTP_PORT")).isEqualTo(String.valueOf(container.getPorts().get(0).getContainerPort()));
            int port = freePort();
            env.put("HTTP_PORT", String.valueOf(port));
            env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            List<String> jvm = new ArrayList<>(Arrays.asList(env.getOrDefault("JAVA_OPTS_APPEND", "").trim().split("\\s+")));
            jvm.removeIf(String::isEmpty);
            Path jar = Freshness.requireFresh(Chart.REPO, module);
            Path log = Chart.REPO.resolve("deploy/helm-tests/target/" + module + "-pod.log");
            ManagedProcess process = ManagedProcess.builder(module, log, ManagedProcess.java(jvm, "-jar", jar.toString()))
                    .env(env).start();
            return new Pod(process, port, env);
        }

        /** Startup first (within its budget), then liveness, then readiness, as the kubelet probes them. */
        void awaitProbes(Container container) {
            Probe startup = container.getStartupProbe();
            process.awaitHttpOk(url(startup), Duration.ofSeconds((long) startup.getPeriodSeconds() * startup.getFailureThreshold()));
            process.awaitHttpOk(url(container.getLivenessProbe()), Duration.ofSeconds(10));
            process.awaitHttpOk(url(container.getReadinessProbe()), Duration.ofSeconds(120));
        }

        int status(Probe probe) throws IOException, InterruptedException {
            try {
                return HTTP.send(HttpRequest.newBuilder(url(probe)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException gone) {
                return -1;
            }
        }

        private URI url(Probe probe) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
            return URI.create("http://localhost:" + port + probe.getHttpGet().getPath());
        }

        @Override
        public void close() {
            process.close();
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }
}
