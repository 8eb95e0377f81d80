package ai.kull.sync.loadgen.bench;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.loadgen.PodMetrics;
import ai.kull.sync.loadgen.bench.Table.Fig;
import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static ai.kull.sync.loadgen.bench.Processes.log;
import static ai.kull.sync.loadgen.bench.Processes.num;

/**
 * The scenarios of one repeat, each against a baseline measured in the same run (see docs/benchmarks.md).
 * Every wait has a deadline: a loadgen run may take its warm-up, duration and connect and drain
 * timeouts plus {@link #SLACK}; anything longer fails with the last lines of its log.
 */
final class Scenarios {

    private static final Duration SLACK = Duration.ofMinutes(3);
    /** The gateway's delivery-latency histogram (GatewayMetrics), as Prometheus names it. */
    static final String DELIVERY_LATENCY = PodMetrics.DELIVERY_LATENCY;
    /** The gateway's histogram of a resume's attach to its PENDING_CHECK_COMPLETE (GatewayMetrics). */
    static final String RESUME_COMPLETION = PodMetrics.REPLAY_COMPLETION;
    /** Its series of the events the loadgen publishes (presence events of connecting sessions left out). */
    static final String PUBLISHED_TYPE = "type=\"" + MessageType.CREDIT_UPDATE.name() + "\"";
    private static final Pattern CONNECTED = Pattern.compile("LOADGEN_CONNECTED (\\d+) sessions in ([0-9.]+) s");

    private final Settings s;
    private final Processes p;
    private final Table table;
    private final List<String> notes;
    private final int repeat;
    private final String bootstrap;
    private final int base;
    /** Scenarios 8 and 9, devices away longer than the replay window. */
    private final DeepResume deep;
    /** The fan-out's pod, kept for the latency scenario; stopped at the end of the repeat. */
    private ManagedProcess fanoutPod;
    private int fanoutPort;
    private double fanoutMaxEvents;
    private double fanoutP99 = Double.NaN;

    Scenarios(Settings settings, Processes processes, Table table, List<String> notes, int repeat) {
        this.s = settings;
        this.p = processes;
        this.table = table;
        this.notes = notes;
        this.repeat = repeat;
        this.bootstrap = processes.bootstrap;
        this.base = settings.integer("BASE_PORT");
        this.deep = new DeepResume(settings, processes, table, notes, repeat);
    }

    void run(String scenario) throws Exception {
        switch (scenario) {
            case "consume" -> consume();
            case "fanout" -> fanout();
            case "latency" -> latency();
            case "connections" -> connections();
            case "compression" -> compression();
            case "storm" -> storm();
            case "scale" -> scale();
            case "deep-resume" -> deep.storm();
            case "deep-heap" -> deep.heap();
            default -> throw new IllegalArgumentException("unknown scenario " + scenario
                    + " (consume fanout latency connections compression storm scale deep-resume deep-heap)");
        }
    }

    void finish() {
        Processes.stop(fanoutPod);
    }

    private static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds).plus(SLACK);
    }

    private String[] loadArgs(String gateways, int users, int devices, int rate, int seconds, String... more) {
        List<String> args = new ArrayList<>(List.of("--gateways", gateways, "--users", "" + users,
                "--devices-per-user", "" + devices, "--rate", "" + rate, "--duration", seconds + "s",
                "--warmup", s.integer("WARMUP_SECONDS") + "s", "--connect-rate", "2000"));
        args.addAll(List.of(more));
        args.addAll(List.of("--bootstrap", bootstrap, "--jwt-secret", Processes.JWT_SECRET));
        return args.toArray(String[]::new);
    }

    /** Timeout of a load run: warm-up, duration, connecting (120 s) and draining (15 s), plus slack. */
    private Duration loadTimeout(int seconds) {
        return seconds(s.integer("WARMUP_SECONDS") + seconds + 120 + 15);
    }

    // --- 2. consume side ----------------------------------------------------------------------------------
    // Both consumers are started and warmed on live records first (JIT), then paused (SIGSTOP) while the
    // backlog is produced, and resumed one after the other, so each reads the same backlog warm and alone.
    private void consume() throws Exception {
        int port = base + 20;
        int records = s.integer("CONSUME_RECORDS");
        int rate = s.integer("CONSUME_RATE");
        log("2. consume side: a pod with no matching session and a bare consumer read %d records", records);
        ManagedProcess gateway = p.awaitReady(p.gateway("gw-consume", port, Map.of()), port);
        ManagedProcess bare = p.loadgenInBackground("consume-bare", "bare-consumer", "--bootstrap", bootstrap,
                "--from", "burst", "--records", "" + records);
        bare.awaitLogLine("BARE_CONSUMER_READY", seconds(0));
        int warmup = s.integer("CONSUME_WARMUP_SECONDS");
        p.loadgen("consume-warmup", seconds(warmup + 60), "--gateways", "", "--users", "2000", "--rate", "30000",
                "--duration", warmup + "s", "--bootstrap", bootstrap, "--user-prefix", "nobody-warm-");
        try {
            bare.awaitLogLine("BARE_CONSUMER_WARM", Duration.ofSeconds(60));
        } catch (ProcessFailure notWarm) {
            if (!bare.isAlive()) {
                throw notWarm;
            }
            log("the bare consumer did not warm up in time");
        }
        Thread.sleep(2000); // the pod has read the warm-up too: a warm consumer reads it in well under a second
        boolean jfr = s.integer("BENCH_JFR") == 1;
        if (jfr) {
            p.jcmd(gateway, "JFR.start", "name=consume", "settings=profile");
        }
        double consumedBefore = Processes.metricSum(port, "kafka_consumer_fetch_manager_records_consumed_total", null, false);
        gateway.signal("STOP");
        bare.signal("STOP");
        // The bare consumer waits for CONSUME_RECORDS: when the producer falls behind its rate (a loaded
        // machine), top the backlog up rather than leave it waiting; the pod is timed over all of it.
        long backlog = 0;
        for (int part = 1; backlog < records; part++) {
            if (part > 5) {
                throw new ProcessFailure("consume: 5 produce runs published only " + backlog + " of " + records
                        + " records (CONSUME_RATE " + rate + "/s is more than this machine produces)");
            }
            int duration = (int) Math.max(1, (records - backlog + rate - 1) / rate);
            JsonNode produced = p.loadgen(part == 1 ? "consume-produce" : "consume-produce-" + part,
                    seconds(duration + 60), "--gateways", "", "--users", "2000", "--rate", "" + rate,
                    "--duration", duration + "s", "--bootstrap", bootstrap, "--user-prefix", "nobody-");
            backlog += (long) num(produced, "published");
        }
        bare.signal("CONT");
        p.finish(bare, seconds(records / 10_000), 8);
        JsonNode watched = p.loadgen("consume-gateway", seconds(records / 10_000), "watch-consumed",
                "--metrics-url", "http://localhost:" + port + "/q/metrics", "--base", "" + (long) consumedBefore,
                "--records", "" + backlog, "--resume-pid", "" + gateway.pid());
        if (jfr) {
            p.jcmd(gateway, "JFR.stop", "name=consume", "filename=" + p.dir.resolve("consume-gateway.jfr"));
        }
        Processes.stop(gateway);
        double gatewayRate = num(watched, "recordsPerSecond");
        double bareRate = num(p.json("consume-bare"), "recordsPerSecond");
        table.add("consume", Fig.of("2. consume side: records/s read and filtered ({} records backlog, no matching "
                        + "session, both warmed)", backlog), Fig.of("{}", gatewayRate), Fig.of("{}", bareRate),
                Fig.of("{2}", gatewayRate / bareRate), ">= 0.8");
    }

    // --- 1. fan-out ---------------------------------------------------------------------------------------
    private void fanout() throws Exception {
        int users = s.integer("FANOUT_USERS");
        int devices = s.integer("FANOUT_DEVICES");
        int rate = s.integer("FANOUT_RATE");
        int duration = s.integer("FANOUT_SECONDS");
        int sessions = users * devices;
        log("1. fan-out: %d sessions, %d events/s offered (%d deliveries/s)", sessions, rate, rate * devices);
        int barePort = base + 10;
        ManagedProcess bareServer = p.loadgenInBackground("bare-server", "bare-server", "--port", "" + barePort,
                "--bootstrap", bootstrap);
        bareServer.awaitLogLine("BARE_SERVER_READY", seconds(0));
        double bare = cpuPerDelivery("fanout-bare", bareServer,
                loadArgs("ws://localhost:" + barePort, users, devices, rate, duration), duration);
        Processes.stop(bareServer);

        fanoutPort = base + 11;
        fanoutPod = p.awaitReady(p.gateway("gw-fanout", fanoutPort, Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000")),
                fanoutPort);
        if (s.integer("BENCH_JFR") == 1) {
            p.jcmd(fanoutPod, "JFR.start", "duration=" + (duration + 15) + "s",
                    "filename=" + p.dir.resolve("fanout-gateway.jfr"));
        }
        double gateway = cpuPerDelivery("fanout-gateway", fanoutPod,
                loadArgs("ws://localhost:" + fanoutPort, users, devices, rate, duration), duration);
        JsonNode g = p.json("fanout-gateway");
        JsonNode b = p.json("fanout-bare");
        double gw = num(g, "deliveredPerSecond");
        double bw = num(b, "deliveredPerSecond");
        // The headline: server CPU per delivery does not depend on how the shared cores were split with the
        // loadgen, which deliveries/s (both capped by the machine) does.
        table.add("fanout-cpu", Fig.text("1. fan-out: server CPU per delivery, microseconds (process CPU from all "
                        + "sessions open to the run's end, over deliveries; less is better; ratio bare/gateway)"),
                Fig.of("{}", gateway), Fig.of("{}", bare), Fig.of("{2}", bare / gateway), ">= 0.95 (within 5%)");
        table.add("fanout", Fig.of("1. fan-out: deliveries/s to {} sessions ({}/s offered; both limited by the "
                        + "cores they share with the loadgen)", sessions, rate * devices),
                Fig.of("{}", gw), Fig.of("{}", bw), Fig.of("{2}", gw / bw), "");
        table.add("fanout-latency", Fig.text("1. fan-out: latency p50 / p99 ms (saturated)"),
                Fig.of("{} / {}", num(g, "latencyMs.p50"), num(g, "latencyMs.p99")),
                Fig.of("{} / {}", num(b, "latencyMs.p50"), num(b, "latencyMs.p99")), Fig.EMPTY, "");
        table.add("fanout-loss", Fig.text("1. fan-out: lost / duplicated / misrouted"),
                Fig.of("{} / {} / {}", num(g, "lost"), num(g, "duplicated"), num(g, "misrouted")),
                Fig.of("{} / {} / {}", num(b, "lost"), num(b, "duplicated"), num(b, "misrouted")), Fig.EMPTY, "0");
        fanoutMaxEvents = Math.floor(gw / devices);
        fanoutP99 = num(g, "latencyMs.p99");
    }

    /**
     * A load run in the background; returns the server's CPU microseconds per delivery from the moment every
     * session is open to the end of the run (independent of the loadgen's share of the cores).
     */
    private double cpuPerDelivery(String name, ManagedProcess server, String[] args, int duration) throws IOException {
        log("%s: loadgen %s", name, String.join(" ", args));
        ManagedProcess run = p.loadgenInBackground(name, args);
        run.awaitLogLine("LOADGEN_CONNECTED", seconds(120));
        Duration before = server.cpuTime();
        JsonNode report = p.finish(run, loadTimeout(duration), 30);
        Duration used = server.cpuTime().minus(before);
        double delivered = num(report, "delivered");
        return delivered > 0 ? Math.round(used.toNanos() / 1000.0 / delivered * 10) / 10.0 : Double.NaN;
    }

    // --- 3. latency ---------------------------------------------------------------------------------------
    // The highest offered rate the pod keeps up with: every event delivered to every device within the run and
    // the p99 bounded (SUSTAIN_P99_MS). Saturated, the fan-out's p99 is seconds: queues grow for as long as the
    // load lasts, so half of that rate is not "half the maximum sustainable rate". Steps down by a fifth at a
    // time from the fan-out maximum, or from a fifth below it when the fan-out run itself already exceeded the
    // bound. Returns events/s (x FANOUT_DEVICES deliveries), 0 if none.
    private int findSustainable() throws IOException {
        int devices = s.integer("FANOUT_DEVICES");
        int maxP99 = s.integer("SUSTAIN_P99_MS");
        int rate = fanoutMaxEvents > 0 ? (int) fanoutMaxEvents : s.integer("FANOUT_RATE");
        if (fanoutP99 > maxP99) {
            rate = rate * 4 / 5;
        }
        for (int step = 1; rate >= 50; step++, rate = rate * 4 / 5) {
            int duration = s.integer("SUSTAIN_SECONDS");
            JsonNode r = p.loadgen("sustain-" + step, loadTimeout(duration), loadArgs("ws://localhost:" + fanoutPort,
                    s.integer("FANOUT_USERS"), devices, rate, duration, "--drain-timeout", "5s", "--linger-ms", "0"));
            double delivered = num(r, "deliveredPerSecond");
            double p99 = num(r, "latencyMs.p99");
            double lost = num(r, "lost");
            log("sustain %d events/s: %s deliveries/s, p99 %s ms, lost %s", rate, delivered, p99, lost);
            if (delivered >= 0.97 * rate * devices && p99 <= maxP99 && lost == 0) {
                table.add("sustainable", Fig.text("3. maximum sustainable rate: events/s x " + devices + " devices "
                                + "(delivered >= 97% of offered, p99 <= " + maxP99 + " ms, none lost; stepped down "
                                + "from the fan-out maximum)"),
                        Fig.of("{} ({} deliveries/s, p99 {} ms)", rate, delivered, p99), Fig.EMPTY, Fig.EMPTY, "");
                return rate;
            }
        }
        return 0;
    }

    private void latency() throws Exception {
        if (fanoutPod == null || !fanoutPod.isAlive()) {
            log("latency needs the fan-out scenario");
            return;
        }
        log("3. latency: the maximum sustainable rate, then half of it with a bare consumer alongside");
        int sustained = findSustainable();
        int rate = sustained / 2;
        if (rate <= 0) {
            log("no sustainable rate found");
            notes.add("Repeat " + repeat + ": no sustainable rate found (latency not measured).");
            return;
        }
        int duration = s.integer("LATENCY_SECONDS");
        int devices = s.integer("FANOUT_DEVICES");
        log("3. latency at %d events/s (half the maximum sustainable), bare consumer alongside", rate);
        // linger.ms 0: Kafka 4's producer otherwise holds each record up to 5 ms to fill a batch, time the
        // histogram (from the record's timestamp) would count as the gateway's.
        ManagedProcess gatewayRun = p.loadgenInBackground("latency-gateway", loadArgs("ws://localhost:" + fanoutPort,
                s.integer("FANOUT_USERS"), devices, rate, duration, "--linger-ms", "0"));
        // The bare consumer measures the same window: it starts when the sessions are connected and publishing begins.
        gatewayRun.awaitLogLine("LOADGEN_CONNECTED", seconds(120));
        ManagedProcess bareRun = p.loadgenInBackground("latency-bare", "bare-consumer", "--bootstrap", bootstrap,
                "--from", "end", "--warmup", s.integer("WARMUP_SECONDS") + "s", "--duration", duration + "s");
        // The pod's delivery-latency histogram counts since it started: the run's own observations are the
        // increase from the end of the warmup to the end of the run, the devices' own window. Read from the run's
        // start, it counted the warmup's deliveries too, which the devices leave out (once: p99 165 ms by the
        // histogram against 35 ms end to end).
        gatewayRun.awaitLogLine("LOADGEN_MEASURING", seconds(s.integer("WARMUP_SECONDS") + 60));
        Histogram before = Histogram.parse(Processes.metrics(fanoutPort), DELIVERY_LATENCY, PUBLISHED_TYPE);
        Histogram addedBefore = Histogram.parse(Processes.metrics(fanoutPort), PodMetrics.ADDED_LATENCY, PUBLISHED_TYPE);
        JsonNode b = p.finish(bareRun, seconds(s.integer("WARMUP_SECONDS") + duration + 60), 40);
        JsonNode g = p.finish(gatewayRun, loadTimeout(duration), 30);
        Histogram own = Histogram.parse(Processes.metrics(fanoutPort), DELIVERY_LATENCY, PUBLISHED_TYPE).minus(before);
        Histogram added = Histogram.parse(Processes.metrics(fanoutPort), PodMetrics.ADDED_LATENCY, PUBLISHED_TYPE)
                .minus(addedBefore);
        Processes.stop(fanoutPod);
        log("gateway histogram: %.0f deliveries, p50 %.2f ms, p99 %.2f ms, p999 %.2f ms", own.count(),
                own.quantile(0.5) * 1000, own.quantile(0.99) * 1000, own.quantile(0.999) * 1000);
        notes.add("The delivery-latency histogram's bucket bounds, ms: " + Arrays.stream(own.bounds())
                .mapToObj(bound -> Double.isInfinite(bound) ? "+Inf" : Table.number(bound * 1000, false))
                .collect(Collectors.joining(", ")) + ".");
        if (own.count() == 0) {
            notes.add("Repeat " + repeat + ": the pod's " + DELIVERY_LATENCY + " histogram counted no delivery "
                    + "during the latency run (is it still registered with buckets?).");
        }
        table.add("latency-own", Fig.of("3. latency: the gateway's own, p50 / p99 / p999 ms at {} events/s x "
                        + devices + " devices (its " + DELIVERY_LATENCY + " histogram, " + PUBLISHED_TYPE + ": record "
                        + "timestamp to socket write, the deliveries after the warmup)", rate),
                Fig.of("{} / {} / {} (within 5 ms: {2}%)", ms(own.quantile(0.5)), ms(own.quantile(0.99)),
                        ms(own.quantile(0.999)), own.shareAtMost(0.005) * 100), Fig.EMPTY, Fig.EMPTY, "");
        table.add("latency-added", Fig.of("3. latency: what the gateway adds, p50 / p99 ms at {} events/s (its "
                        + PodMetrics.ADDED_LATENCY + " histogram, " + PUBLISHED_TYPE + ": poll to socket write)", rate),
                Fig.of("{} / {}", ms(added.quantile(0.5)), ms(added.quantile(0.99))), Fig.EMPTY, Fig.EMPTY, "<= 5 ms p99");
        double g99 = num(g, "latencyMs.p99");
        double b99 = num(b, "latencyMs.p99");
        table.add("latency", Fig.of("3. latency end to end at {} events/s x " + devices + " devices, half the maximum "
                        + "sustainable: p50 / p99 ms (publish to device vs publish to bare consumer)", rate),
                Fig.of("{} / {}", num(g, "latencyMs.p50"), g99), Fig.of("{} / {}", num(b, "latencyMs.p50"), b99),
                Fig.of("p99 added: {2} ms", g99 - b99), "");
    }

    /** Seconds as milliseconds, two decimals. */
    private static double ms(double seconds) {
        return Math.round(seconds * 100_000) / 100.0;
    }

    // --- 4. connections -----------------------------------------------------------------------------------
    // Memory per idle session is taken twice: when the first loadgen process (half the sessions) is connected,
    // and when both are; each time right after a full GC, against the same before any session.
    private void connections() throws Exception {
        int port = base + 30;
        int sessions = s.integer("CONN_SESSIONS");
        int half = sessions / 2;
        log("4. connections: %d idle sessions on one pod", sessions);
        ManagedProcess pod = p.awaitReady(p.gateway("gw-conn", port, Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000")),
                port);
        Thread.sleep(2000);
        Processes.Memory before = p.afterFullGc(pod, port);
        // Held until stopped below: longer than both connect timeouts and the measurements.
        int hold = 2 * 180 + 60 + sessions / 200;
        List<ManagedProcess> runs = new ArrayList<>();
        double[] open = new double[2];
        Processes.Memory[] with = new Processes.Memory[2];
        for (String part : List.of("a", "b")) {
            ManagedProcess run = p.loadgenInBackground("conn-" + part, "--gateways", "ws://localhost:" + port,
                    "--users", "" + (part.equals("a") ? half : sessions - half), "--devices-per-user", "1",
                    "--rate", "0", "--duration", hold + "s", "--connect-rate", "1500", "--connect-timeout", "180s",
                    "--jwt-secret", Processes.JWT_SECRET, "--user-prefix", "conn-" + part + "-");
            runs.add(run);
            try {
                run.awaitLogLine("LOADGEN_CONNECTED", Duration.ofSeconds(200));
            } catch (ProcessFailure late) {
                if (!run.isAlive()) {
                    throw late;
                }
                log("%s: not all sessions open after 200 s", run.name());
            }
            // Idle means after the connect burst: the worker threads its blocking opens started end after the
            // pool's 30 s keep-alive, and their stacks are no cost of a session.
            Thread.sleep(s.integer("CONN_SETTLE_SECONDS") * 1000L);
            open[runs.size() - 1] = Processes.metricSum(port, "sync_gateway_sessions", null, false);
            with[runs.size() - 1] = p.afterFullGc(pod, port);
        }
        Processes.Memory all = with[1];
        double heap = perSessionKiB(all.heap() - before.heap(), open[1]);
        double rss = perSessionKiB(all.rss() - before.rss(), open[1]);
        double tcp = perSessionKiB(all.tcp() - before.tcp(), open[1]);
        log("open sessions %.0f: heap %.0f -> %.0f, RSS %.0f -> %.0f, TCP sockets %.0f -> %.0f bytes; per session "
                + "%s / %s / %s KiB", open[1], before.heap(), all.heap(), before.rss(), all.rss(), before.tcp(), all.tcp(),
                heap, rss, tcp);
        double[] connectSeconds = new double[2];
        for (int i = 0; i < 2; i++) {
            ManagedProcess run = runs.get(i);
            Processes.stop(run);
            Matcher connected = CONNECTED.matcher(run.logText());
            connectSeconds[i] = Double.NaN;
            if (connected.find()) {
                System.out.println(connected.group());
                connectSeconds[i] = Double.parseDouble(connected.group(2));
            }
        }
        Processes.stop(pod);
        table.add("conn-open", Fig.text("4. connections: idle sessions open on one pod"), Fig.of("{}", open[1]),
                Fig.EMPTY, Fig.EMPTY, ">= 20000");
        table.add("conn-heap", Fig.of("4. connections: heap per idle session (KiB; used heap after full GC, {} sessions "
                + "vs none)", open[1]), Fig.of("{}", heap), Fig.EMPTY, Fig.EMPTY, "<= 8 KiB");
        table.add("conn-rss", Fig.of("4. connections: process RSS per idle session (KiB; the pod's VmRSS right after "
                + "the same full GC, {} sessions vs none)", open[1]), Fig.of("{}", rss), Fig.EMPTY, Fig.EMPTY, "<= 12 KiB");
        table.add("conn-tcp", Fig.of("4. connections: kernel TCP socket memory per idle session (KiB; /proc/net/sockstat "
                        + "TCP mem, {} sessions vs none; machine-wide: on loopback both ends' sockets, not in the RSS)",
                open[1]), Fig.of("{}", tcp), Fig.EMPTY, Fig.EMPTY, "");
        table.add("conn-half", Fig.of("4. connections: heap / RSS per idle session at {} sessions (KiB; after the "
                        + "first loadgen process connected, full GC)", open[0]),
                Fig.of("{} / {}", perSessionKiB(with[0].heap() - before.heap(), open[0]),
                        perSessionKiB(with[0].rss() - before.rss(), open[0])), Fig.EMPTY, Fig.EMPTY, "<= 8 / <= 12 KiB");
        table.add("conn-time", Fig.text("4. connections: connect time, seconds (two loadgen processes one after the "
                        + "other, --connect-rate 1500 each)"), Fig.of("{} / {}", connectSeconds[0], connectSeconds[1]),
                Fig.EMPTY, Fig.EMPTY, "");
    }

    private static double perSessionKiB(double bytes, double sessions) {
        return sessions > 0 ? Math.round(bytes / sessions / 1024 * 10) / 10.0 : Double.NaN;
    }

    // --- 7. compression (permessage-deflate) ---------------------------------------------------------------
    // Against bare Vert.x servers, one accepting the extension and one not: deflate's cost is per frame and per
    // connection, the same behind the gateway's protocol, and the bare pair isolates it from routing.
    private void compression() throws Exception {
        int users = s.integer("COMPRESSION_USERS");
        int devices = s.integer("COMPRESSION_DEVICES");
        int rate = s.integer("COMPRESSION_RATE");
        int duration = s.integer("COMPRESSION_SECONDS");
        int idle = s.integer("COMPRESSION_IDLE_SESSIONS");
        log("7. compression: %d x %d sessions, %d events/s (shoot progress + credit), with and without permessage-deflate",
                users, devices, rate);
        double[][] figures = new double[2][];
        for (int on = 0; on < 2; on++) {
            figures[on] = compressionRun(on == 1, users, devices, rate, duration, idle);
        }
        String sessions = users * devices + " sessions, " + rate * devices + " deliveries/s";
        table.add("compression-cpu", Fig.text("7. compression: server CPU per delivery, microseconds (" + sessions
                        + "; bare Vert.x server with / without permessage-deflate)"), Fig.of("{}", figures[1][0]),
                Fig.of("{}", figures[0][0]), Fig.of("{2}", figures[1][0] / figures[0][0]), "");
        table.add("compression-bytes", Fig.text("7. compression: bytes written per delivery (process wchar: frames, "
                        + "TCP payload only, plus its Kafka fetch requests)"), Fig.of("{}", figures[1][1]),
                Fig.of("{}", figures[0][1]), Fig.of("{2}", figures[1][1] / figures[0][1]), "");
        table.add("compression-sessions", Fig.text("7. compression: sessions that negotiated permessage-deflate"),
                Fig.of("{} of {}", figures[1][2], users * devices), Fig.of("{} of {}", figures[0][2], users * devices),
                Fig.EMPTY, "");
        table.add("compression-memory", Fig.text("7. compression: KiB per idle session, heap after full GC / process "
                        + "RSS (" + idle + " sessions, each sent one frame)"),
                Fig.of("{} / {}", figures[1][3], figures[1][4]), Fig.of("{} / {}", figures[0][3], figures[0][4]),
                Fig.EMPTY, "");
    }

    /** CPU µs and bytes written per delivery, negotiated sessions, heap and RSS KiB per idle session. */
    private double[] compressionRun(boolean on, int users, int devices, int rate, int duration, int idle)
            throws Exception {
        String name = "compression-" + (on ? "on" : "off");
        int port = base + (on ? 61 : 60);
        List<String> serverArgs = new ArrayList<>(List.of("bare-server", "--port", "" + port, "--bootstrap", bootstrap));
        if (on) {
            serverArgs.add("--compression");
        }
        ManagedProcess server = p.loadgenInBackground(name + "-server", serverArgs.toArray(String[]::new));
        try {
            server.awaitLogLine("BARE_SERVER_READY", seconds(0));
            List<String> args = new ArrayList<>(List.of(loadArgs("ws://localhost:" + port, users, devices, rate, duration,
                    "--events", "shoot-credit")));
            if (on) {
                args.add("--compression");
            }
            log("%s: loadgen %s", name, String.join(" ", args));
            ManagedProcess run = p.loadgenInBackground(name, args.toArray(String[]::new));
            run.awaitLogLine("LOADGEN_CONNECTED", seconds(120));
            Duration cpuBefore = server.cpuTime();
            long wcharBefore = ProcStats.writtenBytes(server.pid());
            JsonNode report = p.finish(run, loadTimeout(duration), 30);
            double cpu = server.cpuTime().minus(cpuBefore).toNanos() / 1000.0;
            double written = ProcStats.writtenBytes(server.pid()) - wcharBefore;
            double delivered = num(report, "delivered");
            double negotiated = num(report, "connect.compressed");
            Thread.sleep(2000); // the run's sessions are closed
            double heapBefore = bareHeap(port);
            double rssBefore = ProcStats.rssBytes(server.pid());
            List<String> idleArgs = new ArrayList<>(List.of("--gateways", "ws://localhost:" + port, "--users", "" + idle,
                    "--devices-per-user", "1", "--rate", "0", "--duration", (60 + idle / 100) + "s", "--connect-rate",
                    "1000", "--jwt-secret", Processes.JWT_SECRET, "--user-prefix", name + "-idle-"));
            if (on) {
                idleArgs.add("--compression");
            }
            ManagedProcess hold = p.loadgenInBackground(name + "-idle", idleArgs.toArray(String[]::new));
            hold.awaitLogLine("LOADGEN_CONNECTED", seconds(120));
            Thread.sleep(3000);
            double heapKiB = perSessionKiB(bareHeap(port) - heapBefore, idle);
            double rssKiB = perSessionKiB(ProcStats.rssBytes(server.pid()) - rssBefore, idle);
            Processes.stop(hold);
            log("%s: %.0f deliveries, %.1f µs and %.0f bytes each, %.0f negotiated, %.1f / %.1f KiB heap / RSS per idle session",
                    name, delivered, cpu / delivered, written / delivered, negotiated, heapKiB, rssKiB);
            return new double[] {round1(cpu / delivered), Math.round(written / delivered), negotiated, heapKiB, rssKiB};
        } finally {
            Processes.stop(server);
        }
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** The bare server's used heap after a full GC ({@code GET /heap}). */
    private static double bareHeap(int port) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/heap")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return Double.parseDouble(response.body().trim());
    }

    // --- 5. reconnect storm -------------------------------------------------------------------------------
    private void storm() throws Exception {
        int port = base + 40;
        int sessions = s.integer("STORM_SESSIONS");
        int admission = s.integer("STORM_ADMISSION");
        int rate = s.integer("STORM_RATE");
        log("5. reconnect storm: %d sessions resume at once (admission %d/s)", sessions, admission);
        ManagedProcess pod = p.awaitReady(p.gateway("gw-storm", port,
                Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "" + admission)), port);
        JsonNode r = p.loadgen("storm", seconds(180 + 180 + 5 + 15), "--gateways", "ws://localhost:" + port,
                "--users", "" + sessions / 2, "--devices-per-user", "2", "--rate", "" + rate, "--duration", "5s",
                "--connect-rate", "" + admission, "--connect-timeout", "180s", "--reconnect-storm",
                "--storm-timeout", "180s", "--bootstrap", bootstrap, "--jwt-secret", Processes.JWT_SECRET);
        // The pod's own figure for each resume: its replay plus the wait until it has read the log as at attach.
        Histogram completion = Histogram.parse(Processes.metrics(port), RESUME_COMPLETION);
        Processes.stop(pod);
        table.add("storm-time", Fig.text("5. storm: seconds until all " + sessions + " sessions resumed (admission "
                        + admission + "/s, " + rate + " events/s flowing)"),
                Fig.of("{}", num(r, "reconnectStorm.secondsUntilAllResumed")), Fig.EMPTY, Fig.EMPTY,
                "(>= " + sessions / admission + " s by the admission bound)");
        table.add("storm-outcome", Fig.text("5. storm: resumed / resync required / lost / duplicated"),
                Fig.of("{} / {} / {} / {}", num(r, "reconnectStorm.resumed"), num(r, "reconnectStorm.resyncRequired"),
                        num(r, "lost"), num(r, "duplicated")), Fig.EMPTY, Fig.EMPTY, "all / 0 / 0 / 0");
        table.add("storm-completion", Fig.text("5. storm: attach to PENDING_CHECK_COMPLETE, ms p50 / p99 (`"
                        + RESUME_COMPLETION + "`, " + Math.round(completion.count()) + " resumes)"),
                Fig.of("{} / {}", ms(completion.quantile(0.5)), ms(completion.quantile(0.99))), Fig.EMPTY, Fig.EMPTY,
                "");
    }

    // --- 6. scale-out -------------------------------------------------------------------------------------
    private void scale() throws Exception {
        int users = s.integer("SCALE_USERS");
        int devices = s.integer("SCALE_DEVICES");
        int rate = s.integer("SCALE_RATE");
        int duration = s.integer("SCALE_SECONDS");
        log("6. scale-out: %d x %d sessions, %d events/s over 1, 2, 3 pods", users, devices, rate);
        List<ManagedProcess> pods = new ArrayList<>();
        StringBuilder urls = new StringBuilder();
        try {
            for (int n = 1; n <= 3; n++) {
                int port = base + 50 + n;
                pods.add(p.awaitReady(p.gateway("gw-scale-" + n, port,
                        Map.of("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND", "5000")), port));
                urls.append(urls.length() > 0 ? "," : "").append("ws://localhost:").append(port);
                JsonNode r = p.loadgen("scale-" + n, loadTimeout(duration),
                        loadArgs(urls.toString(), users, devices, rate, duration));
                table.add("scale-" + n, Fig.text("6. scale-out: " + n + " pod(s): deliveries/s, p50 / p99 ms, lost"),
                        Fig.of("{}, {} / {}, {}", num(r, "deliveredPerSecond"), num(r, "latencyMs.p50"),
                                num(r, "latencyMs.p99"), num(r, "lost")), Fig.EMPTY, Fig.EMPTY, "");
            }
        } finally {
            pods.forEach(Processes::stop);
        }
    }
}
