package ai.kull.sync.testing;

import java.util.UUID;

/** Names no other test (or earlier run against the same broker) uses: users, devices, topics, keys. */
public final class Ids {

    private Ids() {
    }

    /** {@code prefix-} and eight random hex digits, e.g. {@code user-3f9a01c2}; valid as a userId and a topic name. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
