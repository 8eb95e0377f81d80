package ai.kull.sync.gateway.config;

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
 * Each gateway default is written once, in {@link GatewayConfig}'s {@code @WithDefault}, and stated in README.md's
 * tables: every {@code GATEWAY_*} name the repository's documentation (README.md, docs/*.md) mentions is a
 * gateway setting (or a message type, or a variable of one of the repository's scripts), every default it
 * states is the setting's {@code @WithDefault}, and application.properties repeats none of them. Plain JUnit.
 */
class ReadmeConfigTest {

    static final Map<String, ConfigDocs.Setting> SETTINGS = ConfigDocs.settings(GatewayConfig.class, "gateway");
    static final String MAPPING = "GatewayConfig";

    @Test
    void everyGatewaySettingTheDocumentationNamesExistsWithTheDefaultItStates() {
        Path root = ConfigDocs.repositoryRoot();
        Predicate<String> notASetting = notASetting(root);
        List<String> problems = new ArrayList<>();
        int stated = 0;
        for (Path doc : ConfigDocs.documents(root)) {
            String text = ConfigDocs.read(doc);
            problems.addAll(ConfigDocs.problems(root.relativize(doc).toString(), text, "GATEWAY_", SETTINGS, MAPPING,
                    notASetting));
            stated += (int) ConfigDocs.mentions(text, "GATEWAY_").stream().filter(m -> m.stated() != null).count();
        }
        assertThat(problems).as("README claims about gateway settings that are false").isEmpty();
        assertThat(stated).as("defaults README.md states (a parser that finds none checks nothing)").isGreaterThan(10);
    }

    @Test
    void applicationPropertiesRepeatsNoDefault() {
        Path properties = ConfigDocs.repositoryRoot().resolve("gateway-service/src/main/resources/application.properties");
        assertThat(ConfigDocs.repetitions("gateway-service application.properties", ConfigDocs.read(properties), SETTINGS))
                .isEmpty();
    }

    /** Names of the prefix that are not settings: message types, and variables of the repository's scripts. */
    static Predicate<String> notASetting(Path root) {
        Predicate<String> scripts = ConfigDocs.scriptVariables(root);
        return name -> isMessageType(name) || scripts.test(name);
    }

    static boolean isMessageType(String name) {
        return Arrays.stream(MessageType.values()).anyMatch(t -> t.name().equals(name));
    }
}
