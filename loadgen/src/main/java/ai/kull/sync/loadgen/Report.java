package ai.kull.sync.loadgen;

import java.util.Map;

/** The final table: one line per figure, nested figures as {@code connect.perSecond}. */
final class Report {

    private Report() {
    }

    static void print(Map<String, Object> report) {
        System.out.println("---------------------------------------------------------------");
        print("", report);
        System.out.println("---------------------------------------------------------------");
    }

    @SuppressWarnings("unchecked")
    private static void print(String prefix, Map<String, Object> values) {
        values.forEach((name, value) -> {
            if (value instanceof Map<?, ?> nested && !nested.isEmpty()) {
                print(prefix + name + ".", (Map<String, Object>) nested);
            } else {
                System.out.printf("%-36s %s%n", prefix + name, value);
            }
        });
    }
}
