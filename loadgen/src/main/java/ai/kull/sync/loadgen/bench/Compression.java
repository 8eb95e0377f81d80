package ai.kull.sync.loadgen.bench;

import ai.kull.sync.loadgen.bench.Processes.Server;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;
import static ai.kull.sync.loadgen.bench.Repeat.perSessionKiB;

/**
 * 7. Compression (permessage-deflate): against bare Vert.x servers, one accepting the extension and one not.
 * Deflate's cost is per frame and per connection, the same behind the gateway's protocol, and the bare pair
 * isolates it from routing.
 */
final class Compression implements Scenario {

    /** How long a bare server may take to see its sessions open or closed. */
    private static final Duration SESSIONS_TIMEOUT = Duration.ofSeconds(60);

    /** What one server measured: per delivery, and per idle session. */
    private record Figures(double cpuMicros, double bytesWritten, double negotiated, double heapKiB, double rssKiB) {
    }

    @Override
    public void run(Repeat r) throws Exception {
        Settings s = r.settings;
        int users = s.integer("COMPRESSION_USERS");
        int devices = s.integer("COMPRESSION_DEVICES");
        int rate = s.integer("COMPRESSION_RATE");
        int idle = s.integer("COMPRESSION_IDLE_SESSIONS");
        log("7. compression: %d x %d sessions, %d events/s (shoot progress + credit), with and without permessage-deflate",
                users, devices, rate);
        Figures off = measure(r, false);
        Figures on = measure(r, true);
        String sessions = users * devices + " sessions, " + rate * devices + " deliveries/s";
        r.table.add("compression-cpu", Fig.text("7. compression: server CPU per delivery, microseconds (" + sessions
                        + "; bare Vert.x server with / without permessage-deflate)"), Fig.of("{}", on.cpuMicros()),
                Fig.of("{}", off.cpuMicros()), Fig.of("{2}", on.cpuMicros() / off.cpuMicros()), "");
        r.table.add("compression-bytes", Fig.text("7. compression: bytes written per delivery (process wchar: frames, "
                        + "TCP payload only, plus its Kafka fetch requests)"), Fig.of("{}", on.bytesWritten()),
                Fig.of("{}", off.bytesWritten()), Fig.of("{2}", on.bytesWritten() / off.bytesWritten()), "");
        r.table.add("compression-sessions", Fig.text("7. compression: sessions that negotiated permessage-deflate"),
                Fig.of("{} of {}", on.negotiated(), users * devices), Fig.of("{} of {}", off.negotiated(), users * devices),
                Fig.EMPTY, "");
        r.table.add("compression-memory", Fig.text("7. compression: KiB per idle session, heap after full GC / process "
                        + "RSS (" + idle + " sessions, each sent one frame)"),
                Fig.of("{} / {}", on.heapKiB(), on.rssKiB()), Fig.of("{} / {}", off.heapKiB(), off.rssKiB()),
                Fig.EMPTY, "");
    }

    /** One bare server, with or without the extension: a load run, then idle sessions. */
    private static Figures measure(Repeat r, boolean on) throws Exception {
        Settings s = r.settings;
        Processes p = r.processes;
        int users = s.integer("COMPRESSION_USERS");
        int devices = s.integer("COMPRESSION_DEVICES");
        int duration = s.integer("COMPRESSION_SECONDS");
        int idle = s.integer("COMPRESSION_IDLE_SESSIONS");
        String name = "compression-" + (on ? "on" : "off");
        String[] compression = on ? new String[] {"--compression"} : new String[0];
        Server server = p.bareServer(name + "-server", compression);
        long pid = server.process().pid();
        try {
            String[] args = r.loadArgs(server.url(), users, devices, s.integer("COMPRESSION_RATE"), duration,
                    with(compression, "--events", "shoot-credit"));
            log("%s: loadgen %s", name, String.join(" ", args));
            ManagedProcess run = p.loadgenInBackground(name, args);
            run.awaitLogLine("LOADGEN_CONNECTED", Repeat.withSlack(120));
            Duration cpuBefore = server.process().cpuTime();
            long wcharBefore = ProcStats.writtenBytes(pid);
            JsonNode report = p.finish(run, r.loadTimeout(duration), 30);
            double cpu = server.process().cpuTime().minus(cpuBefore).toNanos() / 1000.0;
            double written = ProcStats.writtenBytes(pid) - wcharBefore;
            double delivered = num(report, "delivered");
            double negotiated = num(report, "connect.compressed");
            awaitSessions(server, 0, "the load run's sessions closed");
            double heapBefore = bareHeap(server);
            double rssBefore = ProcStats.rssBytes(pid);
            ManagedProcess hold = p.loadgenInBackground(name + "-idle", with(compression, "--gateways", server.url(),
                    "--users", "" + idle, "--devices-per-user", "1", "--rate", "0", "--duration", (60 + idle / 100) + "s",
                    "--connect-rate", "1000", "--jwt-secret", Processes.JWT_SECRET, "--user-prefix", name + "-idle-"));
            try {
                // LOADGEN_CONNECTED: every session open and sent its first frame (CONNECTION_ESTABLISHED).
                hold.awaitLogLine("LOADGEN_CONNECTED", Repeat.withSlack(120));
                awaitSessions(server, idle, "every idle session open");
                double heapKiB = perSessionKiB(bareHeap(server) - heapBefore, idle);
                double rssKiB = perSessionKiB(ProcStats.rssBytes(pid) - rssBefore, idle);
                log("%s: %.0f deliveries, %.1f µs and %.0f bytes each, %.0f negotiated, %.1f / %.1f KiB heap / RSS per "
                        + "idle session", name, delivered, cpu / delivered, written / delivered, negotiated, heapKiB, rssKiB);
                return new Figures(Math.round(cpu / delivered * 10) / 10.0, Math.round(written / delivered), negotiated,
                        heapKiB, rssKiB);
            } finally {
                Processes.stop(hold);
            }
        } finally {
            server.stop();
        }
    }

    private static String[] with(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of(first));
        return all.toArray(String[]::new);
    }

    private static void awaitSessions(Server server, int sessions, String what) throws IOException {
        Processes.await(server.process(), what + " (" + sessions + " on the server)", SESSIONS_TIMEOUT,
                () -> Integer.parseInt(Processes.get(server.port(), "/sessions").trim()) == sessions);
    }

    /** The bare server's used heap after a full GC ({@code GET /heap}). */
    private static double bareHeap(Server server) throws IOException {
        return Double.parseDouble(Processes.get(server.port(), "/heap").trim());
    }
}
