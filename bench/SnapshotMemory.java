import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a gateway-side snapshot of the last value per user and type would hold in the heap, against the state
 * credit-service keeps anyway (docs/design.md, "Current state on connect"). Run from the repository's root:
 *
 *   java -Xmx3g -XX:+UseParallelGC bench/SnapshotMemory.java 1000000 450
 *
 * (users, bytes per record value: docs/capacity.md's 450). The snapshot is two maps, userId to the value's bytes,
 * one per type (CREDIT_UPDATE, and SHOOT_PROGRESS for one active shoot per user), as a pod would keep the values it
 * routes; the service's map holds credit-service's Balance record shape (CreditBalances.Balance). Heap is measured
 * after full collections, before and after filling each.
 */
public class SnapshotMemory {

    /** The shape of credit-service's CreditBalances.Balance. */
    record Balance(String userId, long balance, long version, String eventId, long updatedAt) {
    }

    static long usedHeap() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    static String userId(int i) {
        return "user-" + (10_000_000 + i) + "-abcdefgh"; // 22 characters
    }

    public static void main(String[] args) {
        int users = Integer.parseInt(args[0]);
        int valueBytes = Integer.parseInt(args[1]);

        long before = usedHeap();
        ConcurrentHashMap<String, byte[]> credits = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, byte[]> shoots = new ConcurrentHashMap<>();
        for (int i = 0; i < users; i++) {
            credits.put(userId(i), new byte[valueBytes]);
            shoots.put(new String(userId(i).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), new byte[valueBytes]);
        }
        double snapshotPerUser = (double) (usedHeap() - before) / users;
        System.out.println(credits.size() + shoots.size() + " values held");
        credits = null;
        shoots = null;

        before = usedHeap();
        ConcurrentHashMap<String, Balance> balances = new ConcurrentHashMap<>();
        for (int i = 0; i < users; i++) {
            String user = userId(i); // the map key and the record's userId are one string, as in CreditBalances.apply
            balances.put(user, new Balance(user, 1000 + i, i, UUID.randomUUID().toString(), System.currentTimeMillis()));
        }
        double servicePerUser = (double) (usedHeap() - before) / users;
        System.out.println(balances.size() + " balances held");

        System.out.printf("SNAPSHOT-MEMORY %,d users, %d-byte values: gateway snapshot %.0f B per user (%.0f B per value) on every pod;"
                + " credit-service balances %.0f B per user, once%n", users, valueBytes, snapshotPerUser, snapshotPerUser / 2, servicePerUser);
    }
}
