package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/** 5. Reconnect storm: STORM_SESSIONS sessions of one pod reconnect at once with their cursors while events flow. */
final class Storm implements Scenario {

    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        int sessions = s.integer("STORM_SESSIONS");
        int admission = s.integer("STORM_ADMISSION");
        int rate = s.integer("STORM_RATE");
        log("5. reconnect storm: %d sessions resume at once (admission %d/s)", sessions, admission);
        Server pod = r.processes.pod("gw-storm", Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "" + admission));
        JsonNode run;
        Histogram completion;
        try {
            run = r.processes.loadgen("storm", Repeat.withSlack(180 + 180 + 5 + 15), "--gateways", pod.url(),
                    "--users", "" + sessions / 2, "--devices-per-user", "2", "--rate", "" + rate, "--duration", "5s",
                    "--connect-rate", "" + admission, "--connect-timeout", "180s", "--reconnect-storm",
                    "--storm-timeout", "180s", "--bootstrap", r.processes.bootstrap,
                    "--jwt-secret", Processes.JWT_SECRET);
            // The pod's own figure for each resume: its replay plus the wait until it has read the log as at attach.
            completion = Histogram.parse(pod.metrics(), PodMetrics.REPLAY_COMPLETION);
        } finally {
            pod.stop();
        }
        r.table.add("storm-time", Fig.text("5. storm: seconds until all " + sessions + " sessions resumed (admission "
                        + admission + "/s, " + rate + " events/s flowing)"),
                Fig.of("{}", num(run, "reconnectStorm.secondsUntilAllResumed")), Fig.EMPTY, Fig.EMPTY,
                "(>= " + sessions / admission + " s by the admission bound)");
        r.table.add("storm-outcome", Fig.text("5. storm: resumed / resync required / lost / duplicated"),
                Fig.of("{} / {} / {} / {}", num(run, "reconnectStorm.resumed"), num(run, "reconnectStorm.resyncRequired"),
                        num(run, "lost"), num(run, "duplicated")), Fig.EMPTY, Fig.EMPTY, "all / 0 / 0 / 0");
        r.table.add("storm-completion", Fig.text("5. storm: attach to PENDING_CHECK_COMPLETE, ms p50 / p99 (`"
                        + PodMetrics.REPLAY_COMPLETION + "`, " + Math.round(completion.count()) + " resumes)"),
                Fig.of("{} / {}", Repeat.ms(completion.quantile(0.5)), Repeat.ms(completion.quantile(0.99))),
                Fig.EMPTY, Fig.EMPTY, "");
    }
}
