package ai.kull.sync.service.config;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The domain services' defaults are written once, in {@link ServiceConfig}'s {@code @WithDefault}: every
 * {@code SYNC_*} name the repository's documentation (README.md, docs/*.md) mentions is a service setting (or a
 * message type such as SYNC_STARTED, or a variable of one of the repository's scripts), every default it states
 * is the setting's {@code @WithDefault}, and no service's application.properties repeats one. Plain JUnit; the
 * gateway's settings are checked the same way by gateway-service's ReadmeConfigTest.
 */
class ReadmeServiceConfigTest {

    static final Map<String, ConfigDocs.Setting> SETTINGS = ConfigDocs.settings(ServiceConfig.class, "sync.service");
    static final String MAPPING = "ServiceConfig";

    @Test
    void everyServiceSettingTheDocumentationNamesExistsWithTheDefaultItStates() {
        Path root = ConfigDocs.repositoryRoot();
        Predicate<String> notASetting = notASetting(root);
        List<String> problems = new ArrayList<>();
        for (Path doc : ConfigDocs.documents(root)) {
            problems.addAll(ConfigDocs.problems(root.relativize(doc).toString(), ConfigDocs.read(doc), "SYNC_", SETTINGS,
                    MAPPING, notASetting));
        }
        assertThat(problems).as("README claims about service settings that are false").isEmpty();
    }

    @Test
    void noServiceRepeatsADefaultInItsProperties() {
        Path root = ConfigDocs.repositoryRoot();
        List<String> problems = new ArrayList<>();
        for (String service : List.of("credit-service", "shoot-service", "prompt-service")) {
            Path properties = root.resolve(service + "/src/main/resources/application.properties");
            problems.addAll(ConfigDocs.repetitions(service + " application.properties", ConfigDocs.read(properties),
                    SETTINGS));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theParserFailsOnAWrongDefaultAndAnUnknownName() {
        assertThat(SETTINGS.get("SYNC_SERVICE_CREATE_TOPIC_PARTITIONS").defaultValue()).isEqualTo("6");
        assertThat(SETTINGS.get("SYNC_SERVICE_API_KEYS").defaultValue()).isNull();
        String copy = "`SYNC_SERVICE_PUBLISH_TIMEOUT` (8s) and `SYNC_SERVICE_MAX_BODY_BYTES` (64 KiB); SYNC_STARTED.";
        Predicate<String> notASetting = notASetting(ConfigDocs.repositoryRoot());
        assertThat(ConfigDocs.problems("copy", copy, "SYNC_", SETTINGS, MAPPING, notASetting)).isEmpty();
        assertThat(ConfigDocs.problems("copy", copy.replace("(8s)", "(10s)"), "SYNC_", SETTINGS, MAPPING, notASetting))
                .singleElement().asString().contains("SYNC_SERVICE_PUBLISH_TIMEOUT").contains("'10s'").contains("'8s'");
        assertThat(ConfigDocs.problems("copy", "--api-key \"$SYNC_API_KEY\"", "SYNC_", SETTINGS, MAPPING, notASetting))
                .singleElement().asString().contains("SYNC_API_KEY is no setting of ServiceConfig");
        assertThat(ConfigDocs.repetitions("p", "sync.service.create-topic.partitions=${SYNC_SERVICE_TOPIC_PARTITIONS:6}\n"
                + "x=${sync.service.publish-timeout:8s}\n", SETTINGS))
                .satisfiesExactly(
                        first -> assertThat(first).contains("p:1:").contains("sync.service.create-topic.partitions"),
                        second -> assertThat(second).contains("p:2:").contains("sync.service.publish-timeout"));
    }

    static Predicate<String> notASetting(Path root) {
        Predicate<String> scripts = ConfigDocs.scriptVariables(root);
        return name -> Arrays.stream(MessageType.values()).anyMatch(t -> t.name().equals(name)) || scripts.test(name);
    }
}
