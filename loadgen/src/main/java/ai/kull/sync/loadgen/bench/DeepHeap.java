package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.DeepResume.Run;
import ai.kull.sync.loadgen.bench.Table.Fig;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * 9. Deep heap ({@code deep-heap}): the pod's heap as the time the devices were away grows, one
 * {@link DeepResume#podRun} (and pod) per DEEP_HEAP_MINUTES.
 */
final class DeepHeap implements Scenario {

    // "X minutes of traffic at DEEP_RATE" is X * 60 * DEEP_RATE events to the away devices' users, published at
    // DEEP_BURST_RATE right after they leave, then DEEP_AWAY_SECONDS at DEEP_RATE: the window then holds ordinary
    // traffic when they resume, and their cursors lie X minutes' worth of records back in the log. The window's
    // byte ring grows to hold a burst and keeps its size (up to GATEWAY_REPLAY_MAX_BYTES, 64 MiB: 126 MiB of heap
    // after GC once, against 33 MiB after the 1-minute run): DEEP_WINDOW_MAX_BYTES caps it so every run's window
    // is the same size and the heap after the resume tells what the resume kept.
    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        int rate = s.integer("DEEP_RATE");
        List<String> minutes = s.words("DEEP_HEAP_MINUTES");
        log("9. deep heap: %d devices miss %s minutes of traffic at %d events/s", s.integer("DEEP_SESSIONS"),
                String.join(", ", minutes), rate);
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < minutes.size(); i++) {
            int x = Integer.parseInt(minutes.get(i));
            Run run = DeepResume.podRun(r, "deep-heap-" + x + "m", (long) x * 60 * rate);
            runs.add(run);
            JsonNode report = run.report();
            r.table.add("deep-heap-" + x, Fig.of("9. deep heap: " + x + " min of traffic at " + rate + " events/s missed "
                                    + "({} events to the away devices' users while away, {} of them at {} events/s): "
                                    + "heap MiB after full GC before / after the resume, peak during; resumed / "
                                    + "resync; records read from the log per resumed device",
                            num(report, "away.missedEvents"), num(report, "away.burstEvents"),
                            Math.round(num(report, "away.burstEvents") / num(report, "away.burstSeconds"))),
                    Fig.of("{} / {}, peak {}; {} / {}; {}", DeepResume.mib(run.heapBefore()), DeepResume.mib(run.heapAfter()),
                            run.mib("pod.storm.heapPeakBytes"), num(report, "storm.resumed"), num(report, "storm.resyncRequired"),
                            num(report, "storm.resumed") > 0 ? num(report, "pod.storm.logRecordsRead") / num(report, "storm.resumed") : Double.NaN),
                    Fig.EMPTY, Fig.EMPTY, "");
        }
        if (runs.size() > 1) {
            Run first = runs.get(0);
            Run last = runs.get(runs.size() - 1);
            r.table.add("deep-heap-flat", Fig.text("9. deep heap: heap after full GC after the resume, MiB, "
                            + minutes.get(minutes.size() - 1) + " min missed vs " + minutes.get(0) + " min"),
                    Fig.of("{}", DeepResume.mib(last.heapAfter())), Fig.of("{}", DeepResume.mib(first.heapAfter())),
                    Fig.of("{2}", last.heapAfter() / first.heapAfter()), "~1 (flat)");
        }
    }
}
