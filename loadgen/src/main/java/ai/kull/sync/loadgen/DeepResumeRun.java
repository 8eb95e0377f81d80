package ai.kull.sync.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code Main deep-resume}: devices away longer than the pod's replay window resume at once while events flow to
 * them and to live devices of other users. Each phase starts with a line the bench waits for:
 * <ol>
 *     <li>both groups connect; events flow to both for {@code --before}, so every away device holds the cursor of
 *     a real event;</li>
 *     <li>{@code LOADGEN_AWAY}: the away devices close their sockets and stay away. {@code --missed-events} are
 *     published to their users at {@code --burst-rate} (the traffic of a longer absence, produced fast), then
 *     {@code --away} passes at {@code --rate}; the second half of it is the live devices' phase without a storm;</li>
 *     <li>{@code LOADGEN_RESUMING}: every away device reconnects at once with its cursor; the storm lasts until each
 *     has answered PENDING_CHECK_COMPLETE or RESYNC_REQUIRED ({@code --resume-timeout}). The pod is watched
 *     ({@link PodWatch}: {@code --pod-pid}, {@code --metrics-url}) during it and during the phase without it;</li>
 *     <li>{@code LOADGEN_RESUMED}: events flow for {@code --tail} more (the bench reads the pod's heap), then stop,
 *     and the run waits for the stragglers ({@code --drain-timeout}).</li>
 * </ol>
 * A device told RESYNC_REQUIRED misses what was published while it was away by design: those events are counted
 * apart ({@code missedAfterResync}); {@code lost} covers the live devices, the resumed ones and any left without
 * an answer.
 */
final class DeepResumeRun {

    private final Flags flags;
    private final DeliveryLedger ledger = new DeliveryLedger();
    private final LatencyStats liveLatency = new LatencyStats();

    DeepResumeRun(Flags flags) {
        this.flags = flags;
    }

    Map<String, Object> run() throws Exception {
        List<URI> gateways = flags.list("gateways", "ws://localhost:8080").stream().map(URI::create).toList();
        int devices = flags.integer("devices-per-user", 2);
        int awayUsers = Math.max(1, flags.integer("away-devices", 200) / devices);
        int liveUsers = Math.max(1, flags.integer("live-devices", 100) / devices);
        double rate = flags.number("rate", 200);
        double liveRate = flags.number("live-rate", 500);
        long missed = (long) flags.number("missed-events", 0);
        Duration away = flags.duration("away", Duration.ofSeconds(25));
        String prefix = flags.string("user-prefix", "deep" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36) + "-");
        Vertx vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(60_000));
        Tokens tokens = new Tokens(flags.string("jwt-secret", "local-dev-secret-change-me-0123456789"), Duration.ofHours(2));
        // The away devices' own latencies (a replay is late by design) go to a histogram nobody reads.
        SessionPool awayPool = new SessionPool(vertx, tokens, ledger, new LatencyStats(), gateways, prefix + "away-u",
                awayUsers, devices, false);
        SessionPool livePool = new SessionPool(vertx, tokens, ledger, liveLatency, gateways, prefix + "live-u",
                liveUsers, devices, false);
        PodWatch pod = new PodWatch(flags.integer("pod-pid", -1),
                URI.create(flags.string("metrics-url", "http://localhost:8080/q/metrics")));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("awayDevices", awayPool.sessions().size());
        report.put("liveDevices", livePool.sessions().size());
        report.put("rate", rate);
        report.put("liveRate", liveRate);
        try (EventSource source = EventSource.kafka(flags.string("bootstrap", "localhost:9092"), false,
                flags.string("linger-ms", null))) {
            UserEvents toAway = new UserEvents(source, ledger, prefix + "away-u", awayUsers);
            UserEvents toLive = new UserEvents(source, ledger, prefix + "live-u", liveUsers);
            report.put("connect", connect(awayPool, livePool));
            UserEvents.Publisher live = toLive.start(liveRate);
            UserEvents.Publisher awayPublisher = toAway.start(rate);
            pause("before", flags.duration("before", Duration.ofSeconds(5)), livePool);

            System.out.println("LOADGEN_AWAY " + awayPool.sessions().size() + " devices");
            Map<SessionPool.Session, String> cursors = awayPool.disconnectAll();
            long awayStarted = System.nanoTime();
            long publishedAtLeave = toAway.published.sum();
            Map<String, Object> awayFigures = new LinkedHashMap<>();
            if (missed > 0) {
                double burstRate = flags.number("burst-rate", 20_000);
                awayPublisher.stop();
                long burstStarted = System.nanoTime();
                UserEvents.Publisher burst = toAway.start(burstRate, missed);
                LoadRun.waitFor(() -> !burst.sending(),
                        Duration.ofSeconds(60 + (long) (3 * missed / burstRate)),
                        () -> LoadRun.progress("burst", "published=%d/%d", toAway.published.sum() - publishedAtLeave, missed));
                burst.stop();
                awayFigures.put("burstEvents", toAway.published.sum() - publishedAtLeave);
                awayFigures.put("burstSeconds", LoadRun.round((System.nanoTime() - burstStarted) / 1e9));
                awayFigures.put("burstRate", burstRate);
                awayPublisher = toAway.start(rate);
            }
            pause("away", away.dividedBy(2), livePool);
            // The phase without the storm is watched as the storm is (the same scrapes of the pod's metrics).
            liveLatency.reset();
            pod.start();
            pause("away", away.minus(away.dividedBy(2)), livePool);
            LatencyStats.Snapshot quiet = liveLatency.total();
            Map<String, Object> podFigures = new LinkedHashMap<>();
            podFigures.put("withoutStorm", pod.stop());
            awayFigures.put("seconds", LoadRun.round((System.nanoTime() - awayStarted) / 1e9));
            awayFigures.put("missedEvents", toAway.published.sum() - publishedAtLeave);
            report.put("away", awayFigures);

            liveLatency.reset();
            pod.start();
            System.out.println("LOADGEN_RESUMING " + cursors.size() + " devices");
            report.put("storm", storm(awayPool, cursors));
            podFigures.put("storm", pod.stop());
            report.put("pod", podFigures);
            LatencyStats.Snapshot storm = liveLatency.total();
            System.out.println("LOADGEN_RESUMED");
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("withoutStorm", percentiles(quiet));
            latency.put("storm", percentiles(storm));
            report.put("liveLatencyMs", latency);

            pause("tail", flags.duration("tail", Duration.ofSeconds(10)), livePool);
            awayPublisher.stop();
            live.stop();
            report.putAll(outcome(awayPool, livePool));
            report.put("published", ledger.acknowledged());
            report.put("publishFailures", toAway.failures.sum() + toLive.failures.sum());
        } finally {
            awayPool.close();
            livePool.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        return report;
    }

    private Map<String, Object> connect(SessionPool... pools) throws InterruptedException {
        long started = System.nanoTime();
        int total = 0;
        for (SessionPool pool : pools) {
            pool.connectAll(flags.number("connect-rate", 1000));
            total += pool.sessions().size();
            int expected = total;
            LoadRun.waitFor(() -> open(pools) >= expected, flags.duration("connect-timeout", Duration.ofSeconds(120)),
                    () -> LoadRun.progress("connect", "open=%d/%d", open(pools), expected));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println("LOADGEN_CONNECTED " + open(pools) + " sessions in " + LoadRun.round(seconds) + " s");
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("opened", open(pools));
        connect.put("seconds", LoadRun.round(seconds));
        return connect;
    }

    private static int open(SessionPool... pools) {
        int open = 0;
        for (SessionPool pool : pools) {
            open += pool.open.get();
        }
        return open;
    }

    /** Every away device resumes at once; until each has answered, or the timeout. */
    private Map<String, Object> storm(SessionPool pool, Map<SessionPool.Session, String> cursors)
            throws InterruptedException {
        long started = System.nanoTime();
        pool.resumeAll(cursors);
        int total = pool.sessions().size();
        boolean all = LoadRun.waitFor(() -> pool.open.get() >= total && pool.resuming() == 0,
                flags.duration("resume-timeout", Duration.ofSeconds(300)),
                () -> LoadRun.progress("storm", "open=%d/%d resumed=%d resync=%d failures=%s", pool.open.get(), total,
                        pool.resumed.sum(), pool.resyncs.sum(), LoadRun.failures(pool)));
        Map<String, Object> storm = new LinkedHashMap<>();
        storm.put("secondsUntilAllAnswered", LoadRun.round((System.nanoTime() - started) / 1e9));
        storm.put("resumed", pool.sessions().stream().filter(s -> !s.resuming && !s.resynced).count());
        storm.put("resyncRequired", pool.sessions().stream().filter(s -> s.resynced).count());
        storm.put("noAnswer", pool.resuming());
        storm.put("failures", LoadRun.failures(pool));
        storm.put("complete", all);
        return storm;
    }

    /**
     * Waits for the stragglers, then: lost by the devices that should have everything (live, resumed, and any left
     * without an answer), missed by those told to resync, duplicated, out of order and misrouted over all.
     */
    private Map<String, Object> outcome(SessionPool away, SessionPool live) throws InterruptedException {
        List<DeliveryLedger.Received> complete = new ArrayList<>(live.received());
        List<DeliveryLedger.Received> resynced = new ArrayList<>();
        for (SessionPool.Session session : away.sessions()) {
            (session.resynced ? resynced : complete).add(session.received);
        }
        long deadline = System.nanoTime() + flags.duration("drain-timeout", Duration.ofSeconds(30)).toNanos();
        long lost;
        while ((lost = ledger.lost(complete)) > 0 && System.nanoTime() < deadline) {
            LoadRun.progress("drain", "lost so far=%d", lost);
            Thread.sleep(500);
        }
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("lost", lost);
        outcome.put("missedAfterResync", ledger.lost(resynced));
        outcome.put("duplicated", ledger.duplicates());
        outcome.put("outOfOrder", ledger.outOfOrder());
        outcome.put("misrouted", ledger.misrouted());
        outcome.put("reconnects", away.reconnects.sum() + live.reconnects.sum());
        return outcome;
    }

    private static Map<String, Object> percentiles(LatencyStats.Snapshot snapshot) {
        Map<String, Object> millis = new LinkedHashMap<>();
        millis.put("count", snapshot.count());
        millis.put("p50", LoadRun.ms(snapshot.p50()));
        millis.put("p99", LoadRun.ms(snapshot.p99()));
        millis.put("max", LoadRun.ms(snapshot.max()));
        return millis;
    }

    private void pause(String phase, Duration duration, SessionPool live) throws InterruptedException {
        LoadRun.waitFor(() -> false, duration, () -> LoadRun.progress(phase, "live open=%d delivered=%d",
                live.open.get(), ledger.delivered()));
    }
}
