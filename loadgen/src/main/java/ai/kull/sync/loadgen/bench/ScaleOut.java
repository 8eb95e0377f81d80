package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/** 6. Scale-out: the same sessions and rate over 1, 2 and 3 pods, one pod added per run. */
final class ScaleOut implements Scenario {

    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        int users = s.integer("SCALE_USERS");
        int devices = s.integer("SCALE_DEVICES");
        int rate = s.integer("SCALE_RATE");
        int duration = s.integer("SCALE_SECONDS");
        log("6. scale-out: %d x %d sessions, %d events/s over 1, 2, 3 pods", users, devices, rate);
        List<Server> pods = new ArrayList<>();
        try {
            for (int n = 1; n <= 3; n++) {
                pods.add(r.processes.pod("gw-scale-" + n, Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000")));
                String urls = pods.stream().map(Server::url).collect(Collectors.joining(","));
                JsonNode run = r.processes.loadgen("scale-" + n, r.loadTimeout(duration),
                        r.loadArgs(urls, users, devices, rate, duration));
                r.table.add("scale-" + n, Fig.text("6. scale-out: " + n + " pod(s): deliveries/s, p50 / p99 ms, lost"),
                        Fig.of("{}, {} / {}, {}", num(run, "deliveredPerSecond"), num(run, "latencyMs.p50"),
                                num(run, "latencyMs.p99"), num(run, "lost")), Fig.EMPTY, Fig.EMPTY, "");
            }
        } finally {
            pods.forEach(Server::stop);
        }
    }
}
