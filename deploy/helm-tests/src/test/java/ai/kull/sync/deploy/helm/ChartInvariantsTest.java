package ai.kull.sync.deploy.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's invariants over several values files and Kubernetes versions, each asserted on the objects Helm
 * renders (no cluster). Every render below must hold every invariant.
 */
class ChartInvariantsTest {

    /** The components and their values keys. */
    static final Map<String, String> COMPONENTS = Map.of(
            "gateway", "gateway", "credit-service", "creditService",
            "shoot-service", "shootService", "prompt-service", "promptService", "publish-service", "publishService");

    private static final List<Rendered> RENDERS = Stream.of(
                    Chart.Render.of("1.29.0", "production.yaml"),
                    Chart.Render.of("1.33.0", "production.yaml"),
                    Chart.Render.of("1.26.0", "dev.yaml"),
                    Chart.Render.of("1.31.0", "dev.yaml"),
                    Chart.Render.of("1.30.0", "loadtest.yaml"),
                    Chart.Render.of("1.28.0")
                            .set("auth.existingSecret", "sync-auth").set("kafka.bootstrapServers", "kafka:9092"),
                    Chart.Render.of("1.32.0", "production.yaml")
                            .set("gateway.autoscaling.targetSessionsPerPod", 2000)
                            .set("httpRoute.enabled", true)
                            .set("httpRoute.parentRefs[0].name", "public")
                            .set("creditService.enabled", false),
                    Chart.Render.of("1.31.0", "production.yaml")
                            .release("longest-release-name-helm-allows-" + "x".repeat(20)),
                    Chart.Render.of("1.31.0", "production.yaml").set("fullnameOverride", "f".repeat(70)))
            .map(Rendered::of)
            .toList();

    static Stream<Named<Rendered>> renders() {
        return RENDERS.stream().map(r -> Named.of(r.render().toString(), r));
    }

    static int grace(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds().intValue();
    }

    static int preStopSeconds(Container container, String kubeVersion) {
        LifecycleHandler preStop = container.getLifecycle().getPreStop();
        if (preStop.getSleep() != null) {
            return preStop.getSleep().getSeconds().intValue();
        }
        List<String> command = preStop.getExec().getCommand();
        assertThat(command).as("exec preStop on %s", kubeVersion).hasSize(2).first().isEqualTo("sleep");
        return Integer.parseInt(command.get(1));
    }

    @ParameterizedTest
    @MethodSource("renders")
    void graceCoversPreStopPlusDrainPlusMarginAndTheDrainReachesTheGateway(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            Container container = Rendered.container(deployment);
            int preStop = preStopSeconds(container, r.render().kubeVersion());
            Map<String, String> env = r.env(deployment);
            int drain = 0;
            if (Rendered.component(deployment).equals("gateway")) {
                assertThat(env).containsKey("GATEWAY_DRAIN_PERIOD");
                drain = (int) (millis(env.get("GATEWAY_DRAIN_PERIOD")) / 1000);
                assertThat(drain).isPositive();
            }
            int margin = 5;
            assertThat(grace(deployment))
                    .as("%s: terminationGracePeriodSeconds >= preStop %d + drain %d + margin %d",
                            deployment.getMetadata().getName(), preStop, drain, margin)
                    .isGreaterThanOrEqualTo(preStop + drain + margin);
            assertThat(preStop).as("a preStop pause covers the endpoint-removal race").isPositive();
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void preStopIsTheSleepActionFrom130AndAnExecSleepBelow(Rendered r) {
        boolean sleepAction = Version.atLeast(r.render().kubeVersion(), 1, 30);
        for (Deployment deployment : r.all(Deployment.class)) {
            LifecycleHandler preStop = Rendered.container(deployment).getLifecycle().getPreStop();
            if (sleepAction) {
                assertThat(preStop.getSleep()).isNotNull();
                assertThat(preStop.getExec()).isNull();
            } else {
                assertThat(preStop.getSleep()).isNull();
                assertThat(preStop.getExec().getCommand()).first().isEqualTo("sleep");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void rolloutsSurgeOnePodAndWaitLongEnough(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            var spec = deployment.getSpec();
            assertThat(spec.getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
            assertThat(spec.getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
            assertThat(spec.getMinReadySeconds()).isPositive();
            Probe startup = Rendered.container(deployment).getStartupProbe();
            int startupBudget = startup.getPeriodSeconds() * startup.getFailureThreshold();
            assertThat(spec.getProgressDeadlineSeconds())
                    .as("progressDeadlineSeconds covers a start, minReadySeconds and a drain")
                    .isGreaterThanOrEqualTo(startupBudget + spec.getMinReadySeconds() + grace(deployment));
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void probesAreOnTheHealthPathsAndTheServicePort(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            Container container = Rendered.container(deployment);
            int port = Integer.parseInt(r.env(deployment).get("HTTP_PORT"));
            assertThat(container.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(port);
            });
            assertThat(httpGet(container.getStartupProbe()).getPath()).isEqualTo("/q/health/started");
            assertThat(httpGet(container.getLivenessProbe()).getPath()).isEqualTo("/q/health/live");
            assertThat(httpGet(container.getReadinessProbe()).getPath()).isEqualTo("/q/health/ready");
            for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
                    container.getReadinessProbe())) {
                assertThat(httpGet(probe).getPort().getStrVal()).isEqualTo("http");
            }
            // Not ready (refilling the replay window, Kafka away) must never mean killed: liveness is another check.
            assertThat(container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold())
                    .as("startup budget in seconds").isGreaterThanOrEqualTo(120);
        }
        for (Service service : r.all(Service.class)) {
            assertThat(service.getSpec().getPorts()).singleElement()
                    .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
            assertThat(service.getSpec().getSessionAffinity()).isEqualTo("None");
        }
    }

    private static HTTPGetAction httpGet(Probe probe) {
        return probe.getHttpGet();
    }

    @ParameterizedTest
    @MethodSource("renders")
    void theGatewayPodIdIsThePodName(Rendered r) {
        r.deployment("gateway").ifPresent(gateway -> assertThat(Rendered.container(gateway).getEnv())
                .filteredOn(e -> e.getName().equals("GATEWAY_POD_ID")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name")));
    }

    @ParameterizedTest
    @MethodSource("renders")
    void aDisruptionBudgetOnlyWhereMoreThanOneReplicaCanExist(Rendered r) {
        Set<String> withBudget = new HashSet<>();
        for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
            withBudget.add(Rendered.component(pdb));
        }
        for (Deployment deployment : r.all(Deployment.class)) {
            String component = Rendered.component(deployment);
            Integer replicas = deployment.getSpec().getReplicas();
            int most = replicas != null ? replicas : hpa(r, component).getSpec().getMaxReplicas();
            assertThat(withBudget.contains(component)).as("%s with at most %d replicas", component, most)
                    .isEqualTo(most > 1);
        }
    }

    private static HorizontalPodAutoscaler hpa(Rendered r, String component) {
        return r.all(HorizontalPodAutoscaler.class).stream()
                .filter(h -> component.equals(Rendered.component(h))).findFirst()
                .orElseThrow(() -> new AssertionError(component + " has neither replicas nor an HPA"));
    }

    @ParameterizedTest
    @MethodSource("renders")
    void noReplicasWhileAnHpaScalesTheDeploymentAndItScalesInSlowly(Rendered r) {
        for (HorizontalPodAutoscaler hpa : r.all(HorizontalPodAutoscaler.class)) {
            assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
            Deployment target = r.all(Deployment.class).stream()
                    .filter(d -> d.getMetadata().getName().equals(hpa.getSpec().getScaleTargetRef().getName()))
                    .findFirst().orElseThrow();
            assertThat(target.getSpec().getReplicas()).as("replicas of %s", target.getMetadata().getName()).isNull();
            assertThat(hpa.getSpec().getMetrics()).anySatisfy(m -> {
                assertThat(m.getType()).isEqualTo("Resource");
                assertThat(m.getResource().getName()).isEqualTo("cpu");
            });
            var scaleDown = hpa.getSpec().getBehavior().getScaleDown();
            assertThat(scaleDown.getStabilizationWindowSeconds()).isGreaterThanOrEqualTo(300);
            assertThat(scaleDown.getPolicies()).allSatisfy(p -> {
                assertThat(p.getType()).isEqualTo("Pods");
                assertThat(p.getValue()).isEqualTo(1);
            });
            hpa.getSpec().getMetrics().stream().filter(m -> m.getType().equals("Pods")).forEach(m ->
                    assertThat(m.getPods().getMetric().getName()).isEqualTo("sync_gateway_sessions"));
        }
        for (Deployment deployment : r.all(Deployment.class)) {
            boolean scaled = r.all(HorizontalPodAutoscaler.class).stream()
                    .anyMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(deployment.getMetadata().getName()));
            assertThat(deployment.getSpec().getReplicas() == null).isEqualTo(scaled);
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void selectorsAreContainedInPodLabelsAndCarryNoVersion(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).containsAllEntriesOf(selector);
            assertVersionFree(selector);
            assertThat(selector).containsKey("app.kubernetes.io/component");
        }
        List<Map<String, String>> podLabels = r.all(Deployment.class).stream()
                .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).toList();
        for (Service service : r.all(Service.class)) {
            assertVersionFree(service.getSpec().getSelector());
            assertThat(podLabels.stream().filter(l -> l.entrySet().containsAll(service.getSpec().getSelector().entrySet())))
                    .as("pods selected by Service %s", service.getMetadata().getName()).hasSize(1);
        }
        for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
            Map<String, String> selector = pdb.getSpec().getSelector().getMatchLabels();
            assertVersionFree(selector);
            assertThat(podLabels.stream().filter(l -> l.entrySet().containsAll(selector.entrySet()))).hasSize(1);
        }
    }

    private static void assertVersionFree(Map<String, String> selector) {
        assertThat(selector.keySet()).noneMatch(k -> k.contains("version") || k.startsWith("helm.sh/"));
    }

    @ParameterizedTest
    @MethodSource("renders")
    void namesFitIn63CharactersAndNoObjectIsRenderedTwice(Rendered r) {
        Set<String> seen = new HashSet<>();
        for (HasMetadata object : r.objects()) {
            String name = object.getMetadata().getName();
            assertThat(name.length()).as(name).isLessThanOrEqualTo(63);
            assertThat(name).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
            String id = object.getApiVersion() + "/" + object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + name;
            assertThat(seen.add(id)).as("rendered twice: %s", id).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyObjectParsesWithoutUnknownFields(Rendered r) {
        for (HasMetadata object : r.objects()) {
            if (object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
                assertThat(object.getKind()).as("only custom resources stay untyped")
                        .isIn("ServiceMonitor", "PrometheusRule", "KafkaTopic");
                continue;
            }
            assertThat(UnknownFields.of(object)).as("%s %s", object.getKind(), object.getMetadata().getName()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyVariableTheChartSetsIsReadByThatService(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            String component = Rendered.component(deployment);
            ConfigNames names = ConfigNames.of(component);
            assertThat(r.env(deployment).keySet())
                    .as("%s reads (%s)", component, names)
                    .allMatch(names::reads);
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void podsAreHardened(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            Container container = Rendered.container(deployment);
            var security = container.getSecurityContext();
            assertThat(security.getReadOnlyRootFilesystem()).isTrue();
            assertThat(security.getAllowPrivilegeEscalation()).isFalse();
            assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
            assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
            assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).containsKey("memory");
            // The heap is a share of the limit; a request below it would let the node overcommit the JVM's memory.
            assertThat(container.getResources().getRequests().get("memory"))
                    .isEqualTo(container.getResources().getLimits().get("memory"));
            assertThat(r.env(deployment).get("JAVA_OPTS_APPEND")).contains("-XX:MaxRAMPercentage=");
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/config");
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void spreadIsSoftByNodeAndZoneUnlessOverridden(Rendered r) {
        for (Deployment deployment : r.all(Deployment.class)) {
            List<TopologySpreadConstraint> spread = deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
            if (spread.isEmpty()) {
                continue; // switched off by the values (the single-node dev setup)
            }
            assertThat(spread).extracting(TopologySpreadConstraint::getTopologyKey)
                    .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
            assertThat(spread).allSatisfy(c -> {
                assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
                assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                        .containsAllEntriesOf(c.getLabelSelector().getMatchLabels());
            });
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void credentialsComeOnlyFromExistingSecretsAndDevShortcutsOnlyLocally(Rendered r) {
        assertThat(r.kind("Secret")).as("the chart never creates a Secret").isEmpty();
        boolean local = r.render().valuesFiles().contains("dev.yaml");
        for (ConfigMap map : r.all(ConfigMap.class)) {
            if (map.getData().containsKey("kull-sync.json")) {
                continue;
            }
            assertThat(map.getData().keySet()).noneMatch(k -> k.contains("SECRET") || k.endsWith("API_KEYS")
                    || k.contains("JAAS") || k.contains("PASSWORD") || k.endsWith("PUBLIC_KEY"));
            assertThat(map.getData().containsKey("GATEWAY_AUTH_DEV_TOKENS") || map.getData().containsKey("SYNC_SERVICE_ALLOW_ANONYMOUS"))
                    .isEqualTo(local);
        }
        for (Deployment deployment : r.all(Deployment.class)) {
            Container container = Rendered.container(deployment);
            assertThat(container.getEnv()).allSatisfy(e -> assertThat(e.getValue()).as(e.getName()).isNull());
            if (!local) {
                assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).endsWith("_JWT_SECRET"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void topicCreationIsOffInProductionAndKafkaTopicsKeepWhatTheServicesNeed(Rendered r) {
        boolean local = r.render().valuesFiles().contains("dev.yaml");
        for (Deployment deployment : r.all(Deployment.class)) {
            Map<String, String> env = r.env(deployment);
            String create = env.getOrDefault("GATEWAY_KAFKA_CREATE_TOPICS", env.get("SYNC_SERVICE_CREATE_TOPIC_ENABLED"));
            assertThat(create).isEqualTo(String.valueOf(local));
        }
        ConfigNames gateway = ConfigNames.of("gateway");
        ConfigNames service = ConfigNames.of("credit-service");
        Map<String, String> gatewayEnv = r.deployment("gateway").map(r::env).orElse(Map.of());
        long window = millis(gatewayEnv.getOrDefault("GATEWAY_REPLAY_WINDOW", gateway.defaultOf("GATEWAY_REPLAY_WINDOW").orElseThrow()));
        long lifetime = millis(gatewayEnv.getOrDefault("GATEWAY_SESSION_MAX_LIFETIME", gateway.defaultOf("GATEWAY_SESSION_MAX_LIFETIME").orElseThrow()));
        long idempotency = millis(service.defaultOf("SYNC_SERVICE_IDEMPOTENCY_TTL").orElseThrow());
        List<HasMetadata> topics = r.kind("KafkaTopic");
        if (topics.isEmpty()) {
            return;
        }
        assertThat(topics).extracting(t -> t.getMetadata().getName()).containsExactlyInAnyOrder(
                "sync.shoot-progress", "sync.credit-updates", "sync.prompt-changes", "sync.org-events",
                "sync.user-events", "sync.presence", gateway.defaultOf("GATEWAY_ADMIN_TOPIC").orElseThrow(),
                gateway.defaultOf("GATEWAY_ACKS_TOPIC").orElseThrow());
        String acksTopic = gateway.defaultOf("GATEWAY_ACKS_TOPIC").orElseThrow();
        long acked = millis(gatewayEnv.getOrDefault("GATEWAY_ACKS_RETENTION", gateway.defaultOf("GATEWAY_ACKS_RETENTION").orElseThrow()));
        for (HasMetadata topic : topics) {
            assertThat(topic.getApiVersion()).isEqualTo("kafka.strimzi.io/v1");
            assertThat(topic.getMetadata().getLabels()).containsKey("strimzi.io/cluster");
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) topic)
                    .getAdditionalProperties().get("spec");
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) spec.get("config");
            long retention = ((Number) config.get("retention.ms")).longValue();
            String name = topic.getMetadata().getName();
            assertThat(config.get("cleanup.policy")).as("%s cleanup.policy", name)
                    .isEqualTo(name.equals(acksTopic) ? "compact,delete" : null);
            long needed = name.equals(acksTopic) ? acked : switch (name) {
                case "sync.presence" -> lifetime;
                case "sync.credit-updates" -> Long.MAX_VALUE; // balances are rebuilt from the whole topic
                case "sync.shoot-progress", "sync.prompt-changes" -> Math.max(window, idempotency);
                default -> window;
            };
            assertThat(retention == -1 || retention >= needed).as("%s retention.ms %d covers %d", name, retention, needed).isTrue();
            assertThat(((Number) spec.get("partitions")).intValue()).isPositive();
            assertThat(((Number) spec.get("replicas")).intValue()).isEqualTo(local ? 1 : 3);
        }
    }

    /** A duration as the services read it (Quarkus: "5m", "12h", "300s", or ISO-8601). */
    static long millis(String duration) {
        Matcher simple = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(duration);
        if (simple.matches()) {
            long n = Long.parseLong(simple.group(1));
            return switch (simple.group(2) == null ? "s" : simple.group(2)) {
                case "ms" -> n;
                case "m" -> n * 60_000;
                case "h" -> n * 3_600_000;
                case "d" -> n * 86_400_000;
                default -> n * 1000;
            };
        }
        return Duration.parse(duration).toMillis();
    }
}
