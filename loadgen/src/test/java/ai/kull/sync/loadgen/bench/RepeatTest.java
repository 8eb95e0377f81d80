package ai.kull.sync.loadgen.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RepeatTest {

    private final Settings settings = new Settings(Map.of(), new String[] {"--warmup-seconds", "7"});
    private final Processes processes = new Processes(Path.of("."), settings, Path.of("target/test-bench"));

    private Repeat repeat() {
        return new Repeat(1, settings, processes, new Table(), new ArrayList<>());
    }

    @Test
    void theFanOutMaximumReachesTheLatencyScenarioOfTheSameRepeatOnly() {
        Repeat first = repeat();
        assertThat(first.result(Fanout.Maximum.class)).isEmpty();
        first.handOn(new Fanout.Maximum(1200, 850));
        assertThat(first.result(Fanout.Maximum.class)).contains(new Fanout.Maximum(1200, 850));
        assertThat(repeat().result(Fanout.Maximum.class)).isEmpty();
    }

    @Test
    void aLoadRunWarmsUpThenMeasuresAgainstTheBenchBroker() {
        List<String> args = List.of(repeat().loadArgs("ws://localhost:1234", 20, 5, 300, 10, "--linger-ms", "0"));
        assertThat(String.join(" ", args)).contains("--gateways ws://localhost:1234 --users 20 --devices-per-user 5 "
                + "--rate 300 --duration 10s --warmup 7s").contains("--linger-ms 0")
                .contains("--bootstrap " + processes.bootstrap);
        assertThat(processes.bootstrap).matches("127\\.0\\.0\\.1:\\d+").isNotEqualTo("127.0.0.1:0");
    }

    @Test
    void aLoadRunsDeadlineCoversWarmUpRunConnectDrainAndSlack() {
        assertThat(repeat().loadTimeout(10)).isEqualTo(Duration.ofSeconds(7 + 10 + 120 + 15).plusMinutes(3));
    }

    @Test
    void latencysSearchStartsAtTheFanOutMaximumOrAFifthBelowWhenThatWasAlreadyTooSlow() {
        assertThat(Latency.firstRate(Optional.of(new Fanout.Maximum(1000, 80)), 8000, 100)).isEqualTo(1000);
        assertThat(Latency.firstRate(Optional.of(new Fanout.Maximum(1000, 2500)), 8000, 100)).isEqualTo(800);
        assertThat(Latency.firstRate(Optional.of(new Fanout.Maximum(0, Double.NaN)), 8000, 100)).isEqualTo(8000);
        assertThat(Latency.firstRate(Optional.of(new Fanout.Maximum(Double.NaN, Double.NaN)), 8000, 100)).isEqualTo(8000);
        assertThat(Latency.firstRate(Optional.empty(), 8000, 100)).isEqualTo(8000);
    }
}
