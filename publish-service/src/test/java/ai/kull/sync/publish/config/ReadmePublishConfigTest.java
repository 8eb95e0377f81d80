package ai.kull.sync.publish.config;

import ai.kull.sync.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publish API's defaults are written once, in {@link PublishConfig}'s {@code @WithDefault}: every
 * {@code PUBLISH_*} name the documentation mentions is a setting (or a variable of one of the repository's scripts),
 * and every default it states is the setting's. Plain JUnit, as service-support's ReadmeServiceConfigTest.
 */
class ReadmePublishConfigTest {

    @Test
    void everyPublishSettingTheDocumentationNamesExistsWithTheDefaultItStates() {
        Map<String, ConfigDocs.Setting> settings = ConfigDocs.settings(PublishConfig.class, "publish");
        Path root = ConfigDocs.repositoryRoot();
        Predicate<String> scripts = ConfigDocs.scriptVariables(root);
        List<String> problems = new ArrayList<>();
        for (Path doc : ConfigDocs.documents(root)) {
            problems.addAll(ConfigDocs.problems(root.relativize(doc).toString(), ConfigDocs.read(doc), "PUBLISH_",
                    settings, "PublishConfig", scripts));
        }
        assertThat(problems).as("documentation claims about publish settings that are false").isEmpty();
        assertThat(settings.get("PUBLISH_MAX_BATCH_EVENTS").defaultValue()).isEqualTo("100");
    }
}
