package ai.kull.sync.deploy.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The chart in deploy/helm/kull-sync, rendered by the real Helm library (helm-java) and parsed into fabric8's model. */
final class Chart {

    static final Path REPO = Path.of(System.getProperty("repo.root", "../..")).toAbsolutePath().normalize();
    static final Path CHART = REPO.resolve("deploy/helm/kull-sync");
    static final Path VALUES = REPO.resolve("deploy/helm/values");
    static final String RELEASE = "sync";
    static final String NAMESPACE = "realtime";

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Chart() {
    }

    /** A render: values files in order, then --set pairs, for one Kubernetes version. */
    record Render(List<String> valuesFiles, Map<String, Object> sets, String kubeVersion, String release) {

        static Render of(String kubeVersion, String... valuesFiles) {
            return new Render(List.of(valuesFiles), Map.of(), kubeVersion, RELEASE);
        }

        Render set(String key, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(sets);
            more.put(key, value);
            return new Render(valuesFiles, more, kubeVersion, release);
        }

        Render release(String name) {
            return new Render(valuesFiles, sets, kubeVersion, name);
        }

        /** The manifest as Helm prints it; a failed render throws with Helm's message. */
        String manifest() {
            TemplateCommand template = new Helm(CHART).template()
                    .withName(release)
                    .withNamespace(NAMESPACE)
                    .withKubeVersion(kubeVersion);
            for (String file : valuesFiles) {
                template = template.withValuesFile(VALUES.resolve(file));
            }
            for (Map.Entry<String, Object> set : sets.entrySet()) {
                template = template.set(set.getKey(), set.getValue());
            }
            return template.call();
        }

        List<HasMetadata> objects() {
            return parse(manifest());
        }

        @Override
        public String toString() {
            return (valuesFiles.isEmpty() ? "defaults" : String.join("+", valuesFiles))
                    + (sets.isEmpty() ? "" : " " + sets) + " on " + kubeVersion;
        }
    }

    /** Every document of a manifest as a typed object (custom resources as GenericKubernetesResource). */
    static List<HasMetadata> parse(String manifest) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(manifest)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.trim().startsWith("#"))) {
                continue;
            }
            objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
        }
        return objects;
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
