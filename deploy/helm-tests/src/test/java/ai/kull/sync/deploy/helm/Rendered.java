package ai.kull.sync.deploy.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** One render's objects, with the look-ups the invariants need. */
record Rendered(Chart.Render render, List<HasMetadata> objects) {

    static Rendered of(Chart.Render render) {
        return new Rendered(render, render.objects());
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> kind(String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).toList();
    }

    static String component(HasMetadata object) {
        return object.getMetadata().getLabels().get("app.kubernetes.io/component");
    }

    Optional<Deployment> deployment(String component) {
        return all(Deployment.class).stream().filter(d -> component.equals(component(d))).findFirst();
    }

    static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /**
     * The environment a container gets: its ConfigMaps (envFrom) first, then its own entries, as Kubernetes
     * applies them. A value from a Secret or the downward API shows as "<from ...>".
     */
    Map<String, String> env(Deployment deployment) {
        return env(deployment, var -> var.getValueFrom().getSecretKeyRef() != null
                ? "<from secret " + var.getValueFrom().getSecretKeyRef().getName() + ">"
                : "<from field " + var.getValueFrom().getFieldRef().getFieldPath() + ">");
    }

    /** As {@link #env(Deployment)}, with {@code valueFrom} entries resolved by {@code resolve}. */
    Map<String, String> env(Deployment deployment, Function<EnvVar, String> resolve) {
        Map<String, String> env = new LinkedHashMap<>();
        Container container = container(deployment);
        for (EnvFromSource from : container.getEnvFrom()) {
            String name = from.getConfigMapRef().getName();
            ConfigMap map = all(ConfigMap.class).stream()
                    .filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("envFrom names ConfigMap " + name + ", which is not rendered"));
            env.putAll(map.getData());
        }
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValue() != null ? var.getValue() : resolve.apply(var));
        }
        return env;
    }
}
