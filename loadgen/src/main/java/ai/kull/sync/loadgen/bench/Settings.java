package ai.kull.sync.loadgen.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's sizes: each has a default (chosen for a 2-core machine), an environment variable of the same
 * name overrides it, and a flag overrides both ({@code --fanout-users 300} sets {@code FANOUT_USERS}).
 */
final class Settings {

    /** Name, default, meaning; the order of {@code --help}. */
    private static final String[][] KNOWN = {
            {"SCENARIOS", String.join(" ", Scenarios.ids()), "scenarios, in the order they run: " + Scenarios.numbered()
                    + " (latency starts from fanout's maximum when fanout ran before it, else from FANOUT_RATE)"},
            {"REPEATS", "3", "how often the scenarios run; each figure is the median over the repeats, with min-max"},
            {"RUN_DIR", "", "logs and raw JSON (default <root>/target/bench)"},
            {"RESULTS", "", "the results file (default <root>/bench/results/<UTC date>.md)"},
            {"GATEWAY_XMX", "1g", "gateway pods' -Xmx"},
            {"LOADGEN_XMX", "1g", "loadgen processes' -Xmx"},
            {"GATEWAY_JAVA_OPTS", "", "extra JVM options for the gateway pods (GC log, profiler agent)"},
            {"LOADGEN_JAVA_OPTS", "", "extra JVM options for the loadgen processes"},
            {"FANOUT_USERS", "200", "1 + 3: sessions = FANOUT_USERS x FANOUT_DEVICES"},
            {"FANOUT_DEVICES", "10", "1 + 3: devices per user"},
            {"FANOUT_RATE", "8000", "1: events/s offered (x devices deliveries/s); 3 starts from it without 1"},
            {"FANOUT_SECONDS", "20", "1: measured seconds"},
            {"LATENCY_SECONDS", "20", "3: measured seconds at half the maximum sustainable rate"},
            {"SUSTAIN_SECONDS", "10", "3: seconds of each step of the search for the maximum sustainable rate"},
            {"SUSTAIN_P99_MS", "100", "3: the p99 a sustainable rate may not exceed"},
            {"WARMUP_SECONDS", "5", "seconds of load before figures are taken, in every load run"},
            {"CONSUME_RECORDS", "1200000", "2: records pre-produced for users nobody is connected as"},
            {"CONSUME_RATE", "60000", "2: how fast the backlog is produced"},
            {"CONSUME_WARMUP_SECONDS", "10", "2: how long both consumers read live records first (JIT)"},
            {"CONN_SESSIONS", "20000", "4: idle sessions on one pod (two loadgen processes)"},
            {"COMPRESSION_USERS", "200", "7: users x COMPRESSION_DEVICES sessions receiving events, with and without permessage-deflate"},
            {"COMPRESSION_DEVICES", "5", "7: devices per user"},
            {"COMPRESSION_RATE", "400", "7: events/s (3 SHOOT_PROGRESS : 1 CREDIT_UPDATE), below saturation"},
            {"COMPRESSION_SECONDS", "15", "7: measured seconds per run"},
            {"COMPRESSION_IDLE_SESSIONS", "2000", "7: idle sessions for memory per session, with and without"},
            {"CONN_SETTLE_TIMEOUT_SECONDS", "120", "4: how long the connect burst's worker threads may take to end (the pool's 30 s keep-alive) before memory is read"},
            {"STORM_SESSIONS", "10000", "5: sessions that reconnect at once"},
            {"STORM_ADMISSION", "500", "5: the pod's admission rate (new sessions/s)"},
            {"STORM_RATE", "200", "5: events/s flowing during the storm"},
            {"SCALE_USERS", "200", "6: users"},
            {"SCALE_DEVICES", "6", "6: devices per user"},
            {"SCALE_RATE", "1000", "6: events/s"},
            {"SCALE_SECONDS", "15", "6: measured seconds"},
            {"DEEP_SESSIONS", "10000", "8, 9: devices that stay away longer than the window, then resume at once"},
            {"DEEP_LIVE_SESSIONS", "500", "8, 9: devices of other users that stay connected (their p99 with and without the storm)"},
            {"DEEP_RATE", "200", "8, 9: events/s to the away devices' users (before, while away, during the storm)"},
            {"DEEP_LIVE_RATE", "500", "8, 9: events/s to the live devices' users"},
            {"DEEP_WINDOW_SECONDS", "10", "8, 9: the pod's GATEWAY_REPLAY_WINDOW"},
            {"DEEP_WINDOW_MAX_BYTES", "4194304", "8, 9: the pod's GATEWAY_REPLAY_MAX_BYTES (the window's ring keeps the size a burst grew it to; capped, every run's is the same)"},
            {"DEEP_AWAY_SECONDS", "25", "8, 9: seconds away at DEEP_RATE (more than the window); the last half is the live devices' phase without the storm"},
            {"DEEP_ADMISSION", "2000", "8, 9: the pod's admission rate (new sessions/s)"},
            {"DEEP_RESUME_TIMEOUT_SECONDS", "300", "8, 9: how long the resume storm may take; devices still unanswered count as lost"},
            {"DEEP_HEAP_MINUTES", "1 10 60", "9: minutes of traffic at DEEP_RATE the away devices miss, one run (and pod) each"},
            {"DEEP_BURST_RATE", "20000", "9: events/s at which the missed traffic is published, right after the devices leave"},
            {"PEER_USERS", "200", "10: users x PEER_DEVICES sessions, against the gateway and each Socket.IO variant"},
            {"PEER_DEVICES", "10", "10: devices per user"},
            {"PEER_RATE", "1000", "10: events/s offered (x devices deliveries/s): CPU per delivery and p50 / p99 at the same rate"},
            {"PEER_SECONDS", "20", "10: measured seconds at PEER_RATE"},
            {"PEER_SATURATION_RATE", "6000", "10: events/s offered for the saturated run, more than either server delivers here"},
            {"PEER_SATURATION_SECONDS", "10", "10: measured seconds of the saturated run"},
            {"PEER_IDLE_SESSIONS", "5000", "10: idle sessions for memory per session"},
            {"PEER_SETTLE_SECONDS", "35", "10: seconds between the last idle connect and the memory readings"},
            {"PEER_VARIANTS", "default tuned", "10: the Socket.IO variants (loadgen/peer/socketio: PEER_VARIANT)"},
            {"BENCH_JFR", "0", "1, 2: 1 records the gateway with JFR during the fan-out and the backlog read"},
            {"BENCH_COMMAND", "bench/run.sh", "the command line written into the results"},
            {"START_TIMEOUT_SECONDS", "180", "deadline for the broker and each pod to get ready"},
    };

    private final Map<String, String> values = new LinkedHashMap<>();

    Settings(Map<String, String> env, String[] args) {
        for (String[] known : KNOWN) {
            values.put(known[0], env.getOrDefault(known[0], known[1]));
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + arg + "\n" + help());
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value\n" + help());
            }
            String key = name.toUpperCase(Locale.ROOT).replace('-', '_');
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException("unknown setting --" + name + "\n" + help());
            }
            values.put(key, value);
        }
    }

    String string(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no setting " + name);
        }
        return value;
    }

    int integer(String name) {
        try {
            return Integer.parseInt(string(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + string(name) + "'");
        }
    }

    /** Whitespace-separated words, e.g. JVM options or scenarios. */
    List<String> words(String name) {
        String value = string(name).trim();
        return value.isEmpty() ? List.of() : Arrays.asList(value.split("\\s+"));
    }

    /** {@code NAME=value} for every setting that differs from its default (BENCH_COMMAND, RUN_DIR, RESULTS aside). */
    List<String> changed() {
        List<String> changed = new java.util.ArrayList<>();
        for (String[] known : KNOWN) {
            if (!List.of("BENCH_COMMAND", "RUN_DIR", "RESULTS").contains(known[0]) && !values.get(known[0]).equals(known[1])) {
                changed.add(known[0] + "=" + values.get(known[0]));
            }
        }
        return changed;
    }

    void set(String name, String value) {
        values.put(name, value);
    }

    static String help() {
        StringBuilder help = new StringBuilder("settings (environment variable, or --lower-case-flag):\n");
        for (String[] known : KNOWN) {
            help.append(String.format("  %-24s %-48s %s%n", known[0], known[1].isEmpty() ? "" : known[1], known[2]));
        }
        return help.toString();
    }
}
