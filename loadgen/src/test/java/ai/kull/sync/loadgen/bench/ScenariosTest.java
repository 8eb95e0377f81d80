package ai.kull.sync.loadgen.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenariosTest {

    @Test
    void theRegistryListsEveryScenarioOnceInTheOrderOfItsNumber() {
        assertThat(Scenarios.ALL).extracting(Scenarios.Entry::number).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(Scenarios.ids()).containsExactly("fanout", "consume", "latency", "connections", "storm", "scale",
                "compression", "deep-resume", "deep-heap", "peer");
        assertThat(Scenarios.ids()).doesNotHaveDuplicates();
        assertThat(Scenarios.ALL).extracting(entry -> entry.scenario().getClass()).doesNotHaveDuplicates();
    }

    @Test
    void byDefaultEveryScenarioRunsInNumericOrder() {
        Settings defaults = new Settings(Map.of(), new String[0]);
        assertThat(Scenarios.select(defaults.words("SCENARIOS"))).containsExactlyElementsOf(Scenarios.ALL);
        assertThat(Settings.help()).contains("1 fanout, 2 consume, 3 latency");
    }

    @Test
    void chosenScenariosRunInTheOrderGiven() {
        assertThat(Scenarios.select(List.of("latency", "fanout", "latency"))).extracting(Scenarios.Entry::id)
                .containsExactly("latency", "fanout", "latency");
    }

    @Test
    void anUnknownOrMissingScenarioIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> Scenarios.select(List.of("fanout", "fan-out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown scenario fan-out")
                .hasMessageContaining("known: fanout consume latency");
        assertThatThrownBy(() -> Scenarios.select(List.of())).hasMessageContaining("no scenario chosen");
    }

    @Test
    void theBenchmarkRefusesAnUnknownScenarioBeforeStartingAnything() {
        assertThat(BenchMain.run(new String[] {"--scenarios", "fanout nonsense"})).isEqualTo(2);
    }

    @Test
    void theFanOutLatencyConnectionsAndPeerDescribeHowTheirHeadlinesAreTaken() {
        assertThat(Scenarios.ALL).filteredOn(entry -> !entry.scenario().method().isEmpty()).extracting(Scenarios.Entry::id)
                .containsExactly("fanout", "latency", "connections", "peer");
    }
}
