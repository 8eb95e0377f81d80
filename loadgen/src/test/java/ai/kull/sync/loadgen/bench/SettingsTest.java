package ai.kull.sync.loadgen.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void aFlagOverridesTheEnvironmentWhichOverridesTheDefault() {
        Settings settings = new Settings(Map.of("FANOUT_USERS", "50", "REPEATS", "2"),
                new String[] {"--fanout-users", "70", "--scenarios=fanout latency"});
        assertThat(settings.integer("FANOUT_USERS")).isEqualTo(70);
        assertThat(settings.integer("REPEATS")).isEqualTo(2);
        assertThat(settings.words("SCENARIOS")).containsExactly("fanout", "latency");
        assertThat(settings.integer("FANOUT_DEVICES")).isEqualTo(10);
        assertThat(settings.changed()).containsExactly("SCENARIOS=fanout latency", "REPEATS=2", "FANOUT_USERS=70");
    }

    @Test
    void badArgumentsAreRefusedWithTheList() {
        assertThatThrownBy(() -> new Settings(Map.of(), new String[] {"--base-port", "18180"}))
                .hasMessageContaining("unknown setting --base-port").hasMessageContaining("FANOUT_USERS");
        assertThatThrownBy(() -> new Settings(Map.of(), new String[] {"--repeats"}))
                .hasMessageContaining("--repeats needs a value");
        assertThatThrownBy(() -> new Settings(Map.of(), new String[] {"repeats", "2"}))
                .hasMessageContaining("expected --name value");
        assertThatThrownBy(() -> new Settings(Map.of(), new String[] {"--repeats", "two"}).integer("REPEATS"))
                .hasMessageContaining("REPEATS must be a whole number");
    }
}
