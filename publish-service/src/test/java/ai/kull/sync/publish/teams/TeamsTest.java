package ai.kull.sync.publish.teams;

import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.publish.config.PublishConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A teams file with a mistake stops the start with a message naming it; a good one owns what it says. */
class TeamsTest {

    private static final PublishConfig DEFAULTS = new PublishConfig() {
        public Optional<Path> teamsFile() {
            return Optional.empty();
        }

        public Optional<String> teams() {
            return Optional.empty();
        }

        public Optional<List<String>> teamKeys() {
            return Optional.empty();
        }

        public int maxBatchEvents() {
            return 100;
        }

        public int maxEventBytes() {
            return 32768;
        }

        public int eventsPerSecond() {
            return 500;
        }

        public int burstEvents() {
            return 1000;
        }
    };

    @Test
    void aTeamOwnsItsNamesAndPrefixesButNeverTheContractsTypes() {
        Team team = teams("{\"teams\":[{\"name\":\"chat\",\"types\":[\"CHAT_*\",\"TYPING\"]}]}").get("chat");
        assertThat(team.owns("CHAT_MESSAGE")).isTrue();
        assertThat(team.owns("TYPING")).isTrue();
        assertThat(team.owns("TYPING_STOPPED")).isFalse();
        assertThat(team.owns("CREDIT_UPDATE")).isFalse();
        assertThat(team.eventsPerSecond()).isEqualTo(500);
    }

    @Test
    void mistakesAreNamed() {
        assertInvalid("{\"teams\":[{\"name\":\"billing\",\"types\":[\"CREDIT_*\"]}]}", "covers the contract's own CREDIT_UPDATE");
        assertInvalid("{\"teams\":[{\"name\":\"a\",\"types\":[\"CHAT_*\"]},{\"name\":\"b\",\"types\":[\"CHAT_MESSAGE\"]}]}",
                "overlap: a type has one owner");
        assertInvalid("{\"teams\":[{\"name\":\"Chat\",\"types\":[\"X\"]}]}", "name must be lower-case");
        assertInvalid("{\"teams\":[{\"name\":\"chat\",\"types\":[\"chat\"]}]}", "must be UPPER_SNAKE_CASE");
        assertInvalid("{\"teams\":[{\"name\":\"chat\",\"types\":[\"CHAT\"],\"schemas\":{\"OTHER\":{}}}]}",
                "a type the team does not own");
        assertInvalid("{\"teams\":[{\"name\":\"chat\",\"types\":[\"CHAT\"],\"burstEvents\":10}]}",
                "burstEvents at least publish.max-batch-events");
        assertInvalid("[]", "expected {\"teams\": [...]}");
    }

    @Test
    void aSchemaNamesTheFieldAndTheRule() throws Exception {
        Team team = teams("{\"teams\":[{\"name\":\"n\",\"types\":[\"NOTE\"],\"schemas\":{\"NOTE\":{\"type\":\"object\","
                + "\"required\":[\"title\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}}}]}")
                .get("n");
        List<Violation> violations = team.check("NOTE", new ObjectMapper().readTree("{\"items\":[1,\"x\"]}"), "events[3].data");
        assertThat(violations).extracting(Violation::field).containsExactly("events[3].data.items[1]", "events[3].data.title");
        assertThat(violations.get(0).reason()).startsWith("schema type:");
        assertThat(team.check("OTHER", new ObjectMapper().readTree("{}"), "data")).isEmpty();
    }

    private static Map<String, Team> teams(String json) {
        return Teams.parse(json, DEFAULTS, "test");
    }

    private static void assertInvalid(String json, String message) {
        assertThatThrownBy(() -> teams(json)).isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
    }
}
