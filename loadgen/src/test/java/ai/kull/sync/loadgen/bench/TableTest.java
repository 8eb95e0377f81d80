package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Table.Fig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class TableTest {

    @Test
    void oneRepeatPrintsTheFiguresAsMeasured() {
        Table table = new Table();
        table.add("fanout", Fig.of("1. fan-out: deliveries/s to {} sessions", 2000), Fig.of("{}", 80330.4),
                Fig.of("{}", 89430.02), Fig.of("{2}", 80330.4 / 89430.02), ">= 0.7");
        assertThat(table.lines()).containsExactly("| 1. fan-out: deliveries/s to 2000 sessions | 80330.4 | 89430.02 | 0.90 | >= 0.7 | one run, stability unknown |");
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
                "| latency p50 / p99 ms | 77.5 (70-90.25) / 300 (300-316.67) |  | n/a |  | "
                        + "gateway 26.1% / 5.6%, ratio n/a: **unstable** |");
        assertThat(Table.summary(new double[] {1, 2, 3, 4}, false)).isEqualTo("2.5 (1-4)");
        assertThat(Table.summary(new double[] {5, Double.NaN}, true)).isEqualTo("5.00 [1 n/a]");
        assertThat(Table.summary(new double[] {0.9912, 0.9901}, true)).isEqualTo("0.99");
        assertThat(Table.summary(new double[] {-1, 0.3, -0.35}, false)).isEqualTo("-0.35 (-1 to 0.3)");
    }

    @Test
    void aRowIsStableWhenEveryFigureSpreadsAtMostTenPercentOfItsMedian() {
        Table table = new Table();
        double[][] runs = {{13.2, 11.4}, {12.6, 10.8}, {13.0, 12.1}};
        for (double[] run : runs) {
            table.add("cpu", Fig.of("CPU per delivery at {} sessions", 2000 + run[0]), Fig.of("{}", run[0]),
                    Fig.of("{}", run[1]), Fig.of("{2}", run[1] / run[0]), ">= 0.95");
            table.add("loss", Fig.text("lost / duplicated"), Fig.of("{} / {}", 0, run[0] > 13 ? 1 : 0), Fig.EMPTY,
                    Fig.EMPTY, "0");
            table.add("text", Fig.text("a note"), Fig.EMPTY, Fig.EMPTY, Fig.EMPTY, "");
        }
        // gateway (13.2-12.6)/13.0 = 4.6%, bare (12.1-10.8)/11.4 = 11.4%, ratio (0.931-0.857)/0.864 = 8.5%;
        // the label's numbers are conditions, not figures: they print as a range and count for nothing.
        assertThat(table.lines()).containsExactly(
                "| CPU per delivery at 2013 (2012.6-2013.2) sessions | 13 (12.6-13.2) | 11.4 (10.8-12.1) | 0.86 (0.86-0.93) "
                        + "| >= 0.95 | gateway 4.6%, baseline 11.4%, ratio 8.5%: **unstable** |",
                "| lost / duplicated | 0 / 0 (0-1) |  |  | 0 | gateway 0.0% / inf% (median 0): **unstable** |",
                "| a note |  |  |  |  |  |");

        Table.Summary close = Table.Summary.of(new double[] {10, 10.5, 11});
        assertThat(close.spread()).isCloseTo(0.0952, offset(1e-4));
        assertThat(Table.stability(3, List.of(close), List.of(), List.of()))
                .isEqualTo("gateway 9.5%: stable");
        assertThat(Table.stability(1, List.of(close), List.of(), List.of()))
                .isEqualTo(Table.ONE_RUN);
        assertThat(Table.stability(3, List.of(Table.Summary.of(new double[] {4, Double.NaN, Double.NaN})),
                List.of(), List.of())).isEqualTo("gateway n/a: fewer than two values, stability unknown");
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
