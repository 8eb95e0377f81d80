package ai.kull.sync.loadgen;

import java.util.List;
import java.util.Map;

/**
 * The final table: one line per figure, nested figures as {@code connect.perSecond}; a timeline or a histogram only
 * by its size (they are for the JSON report and its charts).
 */
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
            } else if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?>) {
                System.out.printf("%-36s %s%n", prefix + name, list.size() + " entries (in the JSON report)");
            } else if (value instanceof String text && text.length() > 120) {
                System.out.printf("%-36s %s%n", prefix + name, text.length() + " characters (in the JSON report)");
            } else {
                System.out.printf("%-36s %s%n", prefix + name, value);
            }
        });
    }
}
