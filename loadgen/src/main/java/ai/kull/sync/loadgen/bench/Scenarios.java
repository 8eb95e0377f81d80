package ai.kull.sync.loadgen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every benchmark scenario with its number (docs/benchmarks.md, its rows' labels) and its id (SCENARIOS,
 * {@code --scenarios}), in the order of their numbers: the default SCENARIOS. Adding one is its class and one line
 * here.
 */
final class Scenarios {

    /** A scenario as SCENARIOS names it. */
    record Entry(int number, String id, Scenario scenario) {
    }

    static final List<Entry> ALL = List.of(
            new Entry(1, "fanout", new Fanout()),
            new Entry(2, "consume", new Consume()),
            new Entry(3, "latency", new Latency()),
            new Entry(4, "connections", new Connections()),
            new Entry(5, "storm", new Storm()),
            new Entry(6, "scale", new ScaleOut()),
            new Entry(7, "compression", new Compression()),
            new Entry(8, "deep-resume", new DeepResume()),
            new Entry(9, "deep-heap", new DeepHeap()),
            new Entry(10, "peer", new Peer()));

    private Scenarios() {
    }

    /** The ids of all scenarios, in order. */
    static List<String> ids() {
        return ALL.stream().map(Entry::id).toList();
    }

    /** The scenarios named, in the order given (a name may repeat); an unknown name is refused with the known ones. */
    static List<Entry> select(List<String> ids) {
        List<Entry> chosen = new ArrayList<>();
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

    static Optional<Entry> find(String id) {
        return ALL.stream().filter(entry -> entry.id().equals(id)).findFirst();
    }

    /** "1 fanout, 2 consume, ...": what {@code --help} lists. */
    static String numbered() {
        return ALL.stream().map(entry -> entry.number() + " " + entry.id()).collect(Collectors.joining(", "));
    }
}
