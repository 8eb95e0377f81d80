package ai.kull.sync.loadgen;

import ai.kull.sync.loadgen.report.Histograms;
import ai.kull.sync.loadgen.report.Timeline;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One load run: connect every session, optionally send them all through a reconnect storm, publish events
 * at the target rate for the duration while printing progress each second, wait for the stragglers, and
 * report what was delivered, how fast, how late, and what went wrong.
 * <p>
 * One run may be worker {@code i} of {@code N} ({@link WorkerRange}): it then holds and publishes to its own
 * range of users only, and its report carries what {@code merge} needs to add the workers up exactly: the
 * counts, the latency histogram and the timeline of each second.
 */
final class LoadRun {

    private final Flags flags;
    private final DeliveryLedger ledger = new DeliveryLedger();
    private final LatencyStats latency = new LatencyStats();
    private final Timeline timeline = new Timeline();

    LoadRun(Flags flags) {
        this.flags = flags;
    }

    Map<String, Object> run() throws Exception {
        List<URI> gateways = flags.list("gateways", "ws://localhost:8080").stream().map(URI::create).toList();
        int users = flags.integer("users", 100);
        int devices = flags.integer("devices-per-user", 2);
        double rate = flags.number("rate", 100);
        Duration duration = flags.duration("duration", Duration.ofSeconds(30));
        String mode = flags.string("mode", "kafka");
        WorkerRange range = WorkerRange.of(flags, users);
        String prefix = range.userPrefix();
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(flags.integer("event-loops", Runtime.getRuntime().availableProcessors()))
                .setBlockedThreadCheckInterval(60_000));
        // A Job's Secret arrives as an environment variable rather than on the command line every `ps` shows.
        Tokens tokens = new Tokens(flags.string("jwt-secret",
                System.getenv().getOrDefault("LOADGEN_JWT_SECRET", "local-dev-secret-change-me-0123456789")),
                duration.plusHours(1));
        String protocol = flags.string("protocol", "sync");
        if (!List.of("sync", "socketio").contains(protocol)) {
            throw new IllegalArgumentException("--protocol sync|socketio, not " + protocol);
        }
        SessionPool pool = new SessionPool(vertx, tokens, ledger, latency, gateways, prefix, range.firstUser(),
                users, devices, flags.flag("compression"), protocol.equals("socketio"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mode", mode);
        report.put("protocol", protocol);
        report.put("gateways", gateways.toString());
        report.put("worker", range.toReport());
        report.put("users", users);
        report.put("devicesPerUser", devices);
        report.put("sessions", pool.sessions().size());
        try (EventSource source = rate == 0 ? null : source(mode, vertx)) {
            if (!pool.sessions().isEmpty()) {
                report.put("connect", connect(pool));
            }
            UserEvents events = new UserEvents(source, ledger, prefix, range.firstUser(), users);
            if (flags.flag("reconnect-storm")) {
                report.put("reconnectStorm", storm(pool, events, rate));
            }
            publishPhase(pool, events, rate, duration, report);
        } finally {
            pool.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        return report;
    }

    private EventSource source(String mode, Vertx vertx) {
        return switch (mode) {
            case "kafka" -> EventSource.kafka(flags.string("bootstrap", "localhost:9092"),
                    "shoot-credit".equals(flags.string("events", "credit")), flags.string("linger-ms", null));
            case "http" -> EventSource.http(vertx, flags.string("credit-url", "http://localhost:8081"),
                    flags.string("api-key", ""), flags.integer("http-connections", 32));
            default -> throw new IllegalArgumentException("--mode kafka|http, not " + mode);
        };
    }

    private Map<String, Object> connect(SessionPool pool) throws InterruptedException {
        int total = pool.sessions().size();
        long started = System.nanoTime();
        pool.connectAll(flags.number("connect-rate", 1000));
        Duration timeout = flags.duration("connect-timeout", Duration.ofSeconds(120));
        boolean all = waitFor(() -> pool.open.get() >= total, timeout,
                () -> progress("connect", "open=%d/%d failures=%s", pool.open.get(), total, failures(pool)));
        double seconds = (System.nanoTime() - started) / 1e9;
        awaitConnectFrames(pool);
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("opened", pool.open.get());
        connect.put("seconds", round(seconds));
        connect.put("perSecond", round(pool.open.get() / seconds));
        connect.put("failures", failures(pool));
        connect.put("complete", all);
        connect.put("compressed", pool.compressed.sum());
        System.out.println("LOADGEN_CONNECTED " + pool.open.get() + " sessions in " + round(seconds) + " s");
        return connect;
    }

    /** How long the frames of the connect must have been quiet to count as all arrived. */
    private static final Duration CONNECT_FRAMES_QUIET = Duration.ofMillis(250);

    /**
     * The connect's own frames arrive before events are published and counted: every open session has had its
     * first (CONNECTION_ESTABLISHED), and the DEVICE_CONNECTED announcements to a user's other devices, as many as
     * the timing of the connects makes, have stopped coming (no frame for {@link #CONNECT_FRAMES_QUIET}). Gives up
     * after 30 s: the run then starts with them still arriving, which its progress line shows.
     */
    private static void awaitConnectFrames(SessionPool pool) throws InterruptedException {
        long[] last = {-1, System.nanoTime()};
        waitFor(() -> {
            long frames = pool.frames.sum();
            if (frames != last[0]) {
                last[0] = frames;
                last[1] = System.nanoTime();
            }
            return frames >= pool.open.get() && System.nanoTime() - last[1] >= CONNECT_FRAMES_QUIET.toNanos();
        }, Duration.ofSeconds(30), () -> progress("connect", "frames=%d open=%d", pool.frames.sum(), pool.open.get()));
    }

    /** Every session reconnects at once with its cursor while events keep flowing to its user. */
    private Map<String, Object> storm(SessionPool pool, UserEvents events, double rate) throws InterruptedException {
        UserEvents.Publisher background = rate > 0 ? events.start(rate) : null;
        long started = System.nanoTime();
        pool.reconnectStorm();
        int total = pool.sessions().size();
        boolean all = waitFor(() -> pool.open.get() >= total && pool.resuming() == 0,
                flags.duration("storm-timeout", Duration.ofSeconds(120)),
                () -> progress("storm", "open=%d/%d resumed=%d resync=%d failures=%s", pool.open.get(), total,
                        pool.resumed.sum(), pool.resyncs.sum(), failures(pool)));
        double seconds = (System.nanoTime() - started) / 1e9;
        if (background != null) {
            background.stop();
        }
        Map<String, Object> storm = new LinkedHashMap<>();
        storm.put("sessions", total);
        storm.put("secondsUntilAllResumed", round(seconds));
        storm.put("resumed", pool.resumed.sum());
        storm.put("resyncRequired", pool.resyncs.sum());
        storm.put("failures", failures(pool));
        storm.put("complete", all);
        return storm;
    }

    private void publishPhase(SessionPool pool, UserEvents events, double rate, Duration duration,
                              Map<String, Object> report) throws InterruptedException {
        // Without a warm-up every delivery of this phase is measured: the latency histogram then counts them all.
        latency.reset();
        UserEvents.Publisher publisher = rate > 0 ? events.start(rate) : null;
        Duration warmup = flags.duration("warmup", Duration.ZERO);
        if (!warmup.isZero()) {
            waitFor(() -> false, warmup, () -> progress("warmup", "delivered=%d", ledger.delivered()));
            latency.reset();
        }
        // Figures cover the measured window only; loss and duplicates cover the whole run. The marker lets the
        // bench read the gateway's histogram over the same deliveries.
        System.out.println("LOADGEN_MEASURING after the warmup");
        long deliveredBefore = ledger.delivered();
        long acknowledgedBefore = ledger.acknowledged();
        long started = System.nanoTime();
        Seconds seconds = new Seconds(events);
        waitFor(() -> false, duration, () -> {
            Second second = seconds.next();
            progress("run", "open=%d published/s=%d delivered/s=%d p50=%.2fms p99=%.2fms max=%.1fms dup=%d misrouted=%d reconnects=%d",
                    pool.open.get(), second.published(), second.delivered(), ms(second.latency().p50()),
                    ms(second.latency().p99()), ms(second.latency().max()), ledger.duplicates(), ledger.misrouted(),
                    pool.reconnects.sum());
        });
        double elapsed = (System.nanoTime() - started) / 1e9;
        long deliveredInWindow = ledger.delivered() - deliveredBefore;
        if (publisher != null) {
            publisher.stop();
        }
        // Stragglers: everything acknowledged should reach every session of its user. The publisher has
        // stopped with no send in flight, so no acknowledgement arrives after this count.
        long expected = ledger.acknowledged() * flags.integer("devices-per-user", 2);
        waitFor(() -> ledger.delivered() >= expected || pool.sessions().isEmpty(),
                flags.duration("drain-timeout", Duration.ofSeconds(15)),
                () -> progress("drain", "delivered=%d/%d last second=%d", ledger.delivered(), expected,
                        seconds.next().delivered()));
        seconds.next(); // the last stragglers: the timeline then adds up to the histogram
        Histogram total = latency.totalHistogram();
        report.put("rate", rate);
        report.put("durationSeconds", round(elapsed));
        report.put("published", ledger.acknowledged());
        report.put("publishFailures", events.failures.sum());
        report.put("publishedPerSecond", round((ledger.acknowledged() - acknowledgedBefore) / elapsed));
        report.put("delivered", ledger.delivered());
        // With a server's CPU time read at LOADGEN_MEASURING, its cost per delivery after the warm-up (bench 10).
        report.put("deliveredBeforeMeasuring", deliveredBefore);
        report.put("deliveredPerSecond", round(deliveredInWindow / elapsed));
        report.put("latencyMs", Histograms.millis(total));
        report.put("latency", Histograms.field(total));
        report.put("timeline", timeline.points());
        long lost = pool.sessions().isEmpty() ? 0 : ledger.lost(pool.received());
        report.put("lost", lost);
        if (lost > 0) {
            report.put("lostSample", ledger.lostSample(pool.received(), 20));
        }
        report.put("duplicated", ledger.duplicates());
        report.put("outOfOrder", ledger.outOfOrder());
        report.put("misrouted", ledger.misrouted());
        report.put("reconnects", pool.reconnects.sum());
    }

    /** One second of the publish phase: events acknowledged, deliveries and their latency. */
    private record Second(long published, long delivered, LatencyStats.Snapshot latency) {
    }

    /** Cuts the publish phase into seconds, each entered in the timeline. */
    private final class Seconds {
        private final UserEvents events;
        private long delivered = ledger.delivered();
        private long published;

        Seconds(UserEvents events) {
            this.events = events;
            this.published = events.published.sum();
        }

        Second next() {
            Histogram interval = latency.intervalHistogram();
            long nowDelivered = ledger.delivered();
            long nowPublished = events.published.sum();
            Second second = new Second(nowPublished - published, nowDelivered - delivered,
                    new LatencyStats.Snapshot(interval));
            timeline.add(System.currentTimeMillis(), second.published(), second.delivered(), interval);
            delivered = nowDelivered;
            published = nowPublished;
            return second;
        }
    }

    /** Waits until {@code done} or the timeout, calling {@code everySecond} once a second. */
    static boolean waitFor(BooleanSupplier done, Duration timeout, Runnable everySecond)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextTick = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= nextTick) {
                everySecond.run();
                nextTick += 1_000_000_000L;
            }
            Thread.sleep(20);
        }
        everySecond.run();
        return done.getAsBoolean();
    }

    static Map<String, Long> failures(SessionPool pool) {
        Map<String, Long> failures = new LinkedHashMap<>();
        pool.failures.forEach((status, count) -> failures.put(status, count.sum()));
        return failures;
    }

    static void progress(String phase, String format, Object... args) {
        System.out.println("[loadgen " + phase + "] " + String.format(format, args));
    }

    static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
