package ai.kull.sync.deploy.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load test (values loadtest.*): an Indexed Job of loadgen workers, off unless asked for. */
class ChartLoadTestTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Chart.Render PRODUCTION = Chart.Render.of("1.31.0", "production.yaml");
    private static final Chart.Render FIVE_WORKERS = PRODUCTION.set("loadtest.enabled", true)
            .set("loadtest.workers", 5).set("loadtest.usersPerWorker", 20000);

    @Test
    void noJobUnlessEnabled() {
        for (Chart.Render render : List.of(PRODUCTION, Chart.Render.of("1.30.0", "loadtest.yaml"),
                Chart.Render.of("1.28.0", "dev.yaml"))) {
            assertThat(Rendered.of(render).all(Job.class)).as("%s", render).isEmpty();
        }
    }

    @Test
    void nWorkersAgainstTheReleasesGatewayService() {
        Rendered rendered = Rendered.of(FIVE_WORKERS);
        Job job = rendered.all(Job.class).stream().collect(onlyOne());
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(5);
        assertThat(job.getSpec().getParallelism()).isEqualTo(5);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getMetadata().getName()).isEqualTo("sync-kull-sync-loadtest-1");

        Service gateway = rendered.all(Service.class).stream()
                .filter(s -> "gateway".equals(Rendered.component(s))).collect(onlyOne());
        Container loadgen = container(job);
        assertThat(loadgen.getImage()).isEqualTo("kull-sync/loadgen:"
                + version(rendered));
        assertThat(loadgen.getArgs()).startsWith("run").contains(
                "--workers=5", "--users=20000", "--devices-per-user=2", "--user-prefix=sync-r1-u", "--json=-",
                "--gateways=ws://" + gateway.getMetadata().getName() + ":" + gateway.getSpec().getPorts().get(0).getPort(),
                "--bootstrap=kafka-kafka-bootstrap.kafka:9093");
        // The index is not an argument: each pod reads JOB_COMPLETION_INDEX, set by Kubernetes (loadgen's WorkerRange).
        assertThat(loadgen.getArgs()).noneMatch(a -> a.startsWith("--worker-index"));
        EnvVar secret = env(loadgen, "LOADGEN_JWT_SECRET");
        assertThat(secret.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kull-sync-auth");
        assertThat(secret.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("jwt-secret");
        assertThat(loadgen.getArgs()).noneMatch(a -> a.contains("secret"));
        // The cluster's Kafka security reaches the publisher as it reaches the services.
        assertThat(loadgen.getEnv()).extracting(EnvVar::getName).contains("KAFKA_SECURITY_PROTOCOL");

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(loadgen.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(loadgen.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(loadgen.getResources().getLimits()).containsKey("memory");
        assertThat(UnknownFields.of(job)).isEmpty();
    }

    @Test
    void anyUrlAndTheReportsOnAVolume() {
        Job job = Rendered.of(FIVE_WORKERS.set("loadtest.target", "wss://sync-load.example.com")
                        .set("loadtest.reportsClaim", "loadtest-reports")
                        .set("loadtest.extraArgs[0]", "--reconnect-storm"))
                .all(Job.class).stream().collect(onlyOne());
        Container loadgen = container(job);
        assertThat(loadgen.getArgs()).contains("--gateways=wss://sync-load.example.com",
                "--json=/reports/worker-$(JOB_COMPLETION_INDEX).json", "--reconnect-storm");
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .singleElement().satisfies(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("loadtest-reports"));
    }

    @Test
    void badLoadTestValuesFailNamingTheValue() {
        // The schema names the value by its path.
        assertThatThrownBy(() -> FIVE_WORKERS.set("loadtest.target", "http://not-a-websocket").manifest())
                .hasMessageContaining("/loadtest/target");
        assertThatThrownBy(() -> FIVE_WORKERS.set("loadtest.workers", 0).manifest())
                .hasMessageContaining("/loadtest/workers");
        assertThatThrownBy(() -> FIVE_WORKERS.set("gateway.enabled", false).manifest())
                .hasMessageContaining("loadtest.target is required while gateway.enabled is false");
        assertThatThrownBy(() -> FIVE_WORKERS.set("auth.jwtSecretKey", "").set("auth.jwtPublicKeyKey", "jwt-public")
                .manifest()).hasMessageContaining("loadtest needs auth.existingSecret and auth.jwtSecretKey");
    }

    @Test
    void theChartWithTheLoadTestEnabledLintsStrict(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("kull-sync");
        ChartLintTest.copyTree(Chart.CHART, copy);
        JsonNode values = ChartLintTest.merge(YAML.readTree(Chart.CHART.resolve("values.yaml").toFile()),
                ChartLintTest.merge(YAML.readTree(Chart.VALUES.resolve("loadtest.yaml").toFile()),
                        YAML.readTree("loadtest: {enabled: true, workers: 3}")));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    /** The image runs as the chart's user and starts loadgen's Main from the class path the module's package writes. */
    @Test
    void theLoadgenImageRunsTheModulesMainAsTheChartsUser() {
        String dockerfile = Chart.read(Chart.REPO.resolve("deploy/docker/Dockerfile.loadgen"));
        Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)\\s*$").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(Chart.read(Chart.CHART.resolve("values.yaml"))).contains("runAsUser: " + user.group(1));
        assertThat(dockerfile).contains("COPY --chown=185 loadgen/target/lib/ lib/")
                .contains("ai.kull.sync.loadgen.Main");
        assertThat(Chart.REPO.resolve("loadgen/src/main/java/ai/kull/sync/loadgen/Main.java")).exists();
        assertThat(Chart.read(Chart.REPO.resolve("loadgen/pom.xml")))
                .contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
    }

    private static Container container(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    }

    private static String version(Rendered rendered) {
        return rendered.objects().get(0).getMetadata().getLabels().get("app.kubernetes.io/version");
    }

    private static <T> java.util.stream.Collector<T, ?, T> onlyOne() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), list -> {
            assertThat(list).hasSize(1);
            return list.get(0);
        });
    }
}
