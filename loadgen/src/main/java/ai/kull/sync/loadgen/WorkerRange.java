package ai.kull.sync.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The users one load generator holds when it is worker {@code index} of {@code workers}: {@code users} of them,
 * from {@code userPrefix + index * users}, so N workers with the same prefix hold the users of one run N times
 * as large, no user in two workers. {@code --worker-index} defaults to {@code JOB_COMPLETION_INDEX}, which an
 * Indexed Kubernetes Job sets in each of its pods.
 */
record WorkerRange(int index, int workers, String userPrefix, int firstUser, int users) {

    WorkerRange {
        if (workers < 1 || index < 0 || index >= workers) {
            throw new IllegalArgumentException("--worker-index must be in 0.." + (workers - 1) + " for --workers "
                    + workers + ", got " + index);
        }
    }

    static WorkerRange of(Flags flags, int users) {
        int workers = flags.integer("workers", 1);
        String fromJob = System.getenv("JOB_COMPLETION_INDEX");
        int index = flags.integer("worker-index", fromJob == null ? 0 : Integer.parseInt(fromJob.trim()));
        String prefix = flags.string("user-prefix", null);
        if (prefix == null) {
            if (workers > 1) {
                throw new IllegalArgumentException("--workers " + workers + " needs --user-prefix, the same for"
                        + " every worker: their users are numbered after it");
            }
            prefix = "lg" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36) + "-u";
        }
        return new WorkerRange(index, workers, prefix, Math.multiplyExact(index, users), users);
    }

    /** The report's {@code worker}: what {@code merge} checks (same prefix, disjoint ranges, every index once). */
    Map<String, Object> toReport() {
        Map<String, Object> worker = new LinkedHashMap<>();
        worker.put("index", index);
        worker.put("workers", workers);
        worker.put("userPrefix", userPrefix);
        worker.put("firstUser", firstUser);
        worker.put("users", users);
        return worker;
    }
}
