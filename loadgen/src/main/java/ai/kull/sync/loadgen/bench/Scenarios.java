package ai.kull.sync.loadgen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every benchmark scenario, in the order of their numbers (docs/benchmarks.md): the default SCENARIOS, and the
 * names it accepts. Adding one is its class and one line here.
 */
final class Scenarios {

    static final List<Scenario> ALL = List.of(
            new Fanout(),
            new Consume(),
            new Latency(),
            new Connections(),
            new Storm(),
            new ScaleOut(),
            new Compression(),
            new DeepResume(),
            new DeepHeap());

    private Scenarios() {
    }

    /** The ids of all scenarios, in order. */
    static List<String> ids() {
        return ALL.stream().map(Scenario::id).toList();
    }

    /** The scenarios named, in the order given (a name may repeat); an unknown name is refused with the known ones. */
    static List<Scenario> select(List<String> ids) {
        List<Scenario> chosen = new ArrayList<>();
        for (String id : ids) {
            chosen.add(find(id).orElseThrow(() -> new IllegalArgumentException("unknown scenario " + id + " (known: "
                    + String.join(" ", ids()) + ")")));
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no scenario chosen (SCENARIOS is empty; known: "
                    + String.join(" ", ids()) + ")");
        }
        return chosen;
    }

    static Optional<Scenario> find(String id) {
        return ALL.stream().filter(scenario -> scenario.id().equals(id)).findFirst();
    }

    /** "1 fanout, 2 consume, ...": what {@code --help} lists. */
    static String numbered() {
        return ALL.stream().map(scenario -> scenario.number() + " " + scenario.id()).collect(Collectors.joining(", "));
    }
}
