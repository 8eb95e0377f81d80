package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Table.Fig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {

    @Test
    void oneRepeatPrintsTheFiguresAsMeasured() {
        Table table = new Table();
        table.add("fanout", Fig.of("1. fan-out: deliveries/s to {} sessions", 2000), Fig.of("{}", 80330.4),
                Fig.of("{}", 89430.02), Fig.of("{2}", 80330.4 / 89430.02), ">= 0.7");
        assertThat(table.lines()).containsExactly("| 1. fan-out: deliveries/s to 2000 sessions | 80330.4 | 89430.02 | 0.90 | >= 0.7 |");
    }

    @Test
    void repeatsPrintTheMedianAndTheRangeOfEachNumber() {
        Table table = new Table();
        double[][] runs = {{77.5, 316.67}, {70, 300}, {90.25, 300}};
        for (double[] run : runs) {
            table.add("latency", Fig.text("latency p50 / p99 ms"), Fig.of("{} / {}", run[0], run[1]), Fig.EMPTY,
                    Fig.of("{2}", Double.NaN), "");
        }
        assertThat(table.lines()).containsExactly(
                "| latency p50 / p99 ms | 77.5 (70-90.25) / 300 (300-316.67) |  | n/a |  |");
        assertThat(Table.summary(new double[] {1, 2, 3, 4}, false)).isEqualTo("2.5 (1-4)");
        assertThat(Table.summary(new double[] {5, Double.NaN}, true)).isEqualTo("5.00 [1 n/a]");
        assertThat(Table.summary(new double[] {0.9912, 0.9901}, true)).isEqualTo("0.99");
    }

    @Test
    void settingsComeFromDefaultsThenTheEnvironmentThenFlags() {
        Settings settings = new Settings(Map.of("FANOUT_USERS", "50", "REPEATS", "2", "PATH", "/bin"),
                new String[] {"--repeats", "1", "--scenarios=fanout latency"});
        assertThat(settings.integer("FANOUT_USERS")).isEqualTo(50);
        assertThat(settings.integer("REPEATS")).isEqualTo(1);
        assertThat(settings.words("SCENARIOS")).containsExactly("fanout", "latency");
        assertThat(settings.integer("FANOUT_RATE")).isEqualTo(8000);
        assertThat(settings.changed()).containsExactly("SCENARIOS=fanout latency", "REPEATS=1", "FANOUT_USERS=50");
        assertThatThrownBy(() -> new Settings(Map.of(), new String[] {"--fanout-user", "3"}))
                .hasMessageContaining("unknown setting --fanout-user");
    }
}
