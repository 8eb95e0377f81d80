package ai.kull.sync.deploy.helm;

import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.publish.config.PublishConfig;
import ai.kull.sync.shoot.config.ShootConfig;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What each service reads from its environment, taken from the code: the {@code @ConfigMapping} interfaces (their
 * property names computed by SmallRye Config itself), the properties files (their keys and the {@code ${NAME}}
 * expressions in them), Kafka client settings as {@code KAFKA_*} (Quarkus maps {@code KAFKA_SASL_MECHANISM} to
 * {@code sasl.mechanism}) and the image's own variables ({@code ENV} in Dockerfile.jvm). A name outside that set
 * is silently ignored by the service: a chart or compose file setting it has drifted from the code.
 */
final class ConfigNames {

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)");
    private static final Pattern DOCKER_ENV = Pattern.compile("(?m)^ENV\\s+(.*)$");
    private static final Pattern DOCKER_ENV_NAME = Pattern.compile("([A-Z_][A-Z0-9_]*)=");

    private final Set<String> envNames;
    private final Map<String, String> defaults;

    private ConfigNames(Set<String> envNames, Map<String, String> defaults) {
        this.envNames = envNames;
        this.defaults = defaults;
    }

    /** The names a component reads; component is the chart's name for it (gateway, credit-service, ...). */
    static ConfigNames of(String component) {
        Set<String> names = new HashSet<>();
        Map<String, String> defaults = new TreeMap<>();
        Path repo = Chart.REPO;
        if (component.equals("gateway")) {
            mapping(GatewayConfig.class, "gateway", names, defaults);
            properties(repo.resolve("gateway-service/src/main/resources/application.properties"), names);
        } else {
            mapping(ServiceConfig.class, "sync.service", names, defaults);
            properties(repo.resolve("service-support/src/main/resources/META-INF/microprofile-config.properties"), names);
            properties(repo.resolve(component + "/src/main/resources/application.properties"), names);
            if (component.equals("shoot-service")) {
                mapping(ShootConfig.class, "shoot", names, defaults);
            }
            if (component.equals("publish-service")) {
                mapping(PublishConfig.class, "publish", names, defaults);
            }
        }
        names.addAll(imageEnv());
        return new ConfigNames(Set.copyOf(names), Map.copyOf(defaults));
    }

    /** Whether the service reads this environment variable. */
    boolean reads(String env) {
        return envNames.contains(env) || isKafkaClientSetting(env);
    }

    /** The code's default of a mapped property, by its environment name (GATEWAY_REPLAY_WINDOW -> 5m). */
    Optional<String> defaultOf(String env) {
        return Optional.ofNullable(defaults.get(env));
    }

    Set<String> names() {
        return envNames;
    }

    /** SmallRye Config's rule: every character other than a letter or digit becomes '_', then upper case. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static boolean isKafkaClientSetting(String env) {
        if (!env.startsWith("KAFKA_")) {
            return false;
        }
        String setting = env.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        return Stream.of(ConsumerConfig.configNames(), ProducerConfig.configNames(), AdminClientConfig.configNames())
                .anyMatch(configNames -> configNames.contains(setting));
    }

    /** Variables the image itself reads (its ENTRYPOINT uses JAVA_OPTS_APPEND). */
    static Set<String> imageEnv() {
        String dockerfile = Chart.read(Chart.REPO.resolve("deploy/docker/Dockerfile.jvm"));
        Set<String> names = new HashSet<>();
        Matcher line = DOCKER_ENV.matcher(dockerfile);
        while (line.find()) {
            Matcher name = DOCKER_ENV_NAME.matcher(line.group(1));
            while (name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    private static void mapping(Class<?> type, String prefix, Set<String> names, Map<String, String> defaults) {
        Map<String, ConfigMappingInterface.Property> properties =
                ConfigMappings.getProperties(new ConfigMappings.ConfigClass(type, prefix));
        properties.forEach((name, property) -> {
            names.add(envName(name));
            if (property.hasDefaultValue() && property.getDefaultValue() != null) {
                defaults.put(envName(name), property.getDefaultValue());
            }
        });
    }

    private static void properties(Path file, Set<String> names) {
        String text = Chart.read(file);
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : properties.stringPropertyNames()) {
            String property = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            if (!property.contains("\"")) {
                names.add(envName(property));
            }
        }
        Matcher expression = EXPRESSION.matcher(text);
        while (expression.find()) {
            String name = expression.group(1);
            names.add(name.equals(name.toUpperCase(Locale.ROOT)) ? name : envName(name));
        }
    }

    @Override
    public String toString() {
        return envNames.stream().sorted().collect(Collectors.joining(", "));
    }
}
