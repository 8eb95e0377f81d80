package ai.kull.sync.system;

import ai.kull.sync.gateway.websocket.TestDevice;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A device that behaves like a well-written client: when its connection ends for any reason it reconnects
 * to some live pod, resuming from the last cursor it received. Keeps every session it had, so a test can
 * check what it received across all of them.
 */
final class ResilientDevice {

    private static final Pattern BALANCE = Pattern.compile("\"type\":\"CREDIT_UPDATE\".*\"newBalance\":(\\d+)");

    final String userId;
    final String deviceId;
    final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private volatile String lastFailure = "none";
    private final String token;
    private final Supplier<List<AppProcess>> livePods;
    private final ScheduledExecutorService scheduler;
    private final List<TestDevice> sessions = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    ResilientDevice(String userId, String deviceId, Supplier<List<AppProcess>> livePods,
                    ScheduledExecutorService scheduler) throws Exception {
        this.userId = userId;
        this.deviceId = deviceId;
        this.livePods = livePods;
        this.scheduler = scheduler;
        this.token = TestDevice.token(userId, deviceId, Duration.ofHours(1), TestDevice.SECRET, List.of());
    }

    /** Connects (first time: without a cursor) and waits until the session is established. */
    void connect() throws Exception {
        TestDevice session = open(null);
        session.next("CONNECTION_ESTABLISHED");
    }

    /** The balances of every CREDIT_UPDATE received, in order, over all sessions. */
    List<Long> balances() {
        List<Long> balances = new ArrayList<>();
        for (TestDevice session : sessions) {
            for (String frame : session.received) {
                Matcher balance = BALANCE.matcher(frame);
                if (balance.find()) {
                    balances.add(Long.parseLong(balance.group(1)));
                }
            }
        }
        return balances;
    }

    long resyncs() {
        return sessions.stream().flatMap(s -> s.received.stream()).filter(f -> f.contains("\"RESYNC_REQUIRED\"")).count();
    }

    long resumedSessions() {
        return sessions.stream().flatMap(s -> s.received.stream()).filter(f -> f.contains("\"resumed\":true")).count();
    }

    /** For a failure message: how this device's sessions went. */
    String describe() {
        StringBuilder text = new StringBuilder(userId + "/" + deviceId + ": " + sessions.size() + " sessions, "
                + failedAttempts.get() + " failed reconnects (last: " + lastFailure + "), closes:");
        for (TestDevice session : sessions) {
            text.append(' ').append(session.closeCode.isDone()
                    ? String.valueOf(session.closeCode.exceptionally(e -> -1).join()) : "open");
        }
        return text.toString();
    }

    void stop() {
        stopped = true;
        sessions.forEach(TestDevice::close);
    }

    private TestDevice open(String cursor) throws Exception {
        List<AppProcess> pods = livePods.get();
        AppProcess pod = pods.get(ThreadLocalRandom.current().nextInt(pods.size()));
        String query = "/ws?token=" + token + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        TestDevice session = TestDevice.connect(pod.ws(query));
        sessions.add(session);
        session.closeCode.whenComplete((code, error) -> reconnectLater(session.lastCursor()));
        return session;
    }

    private void reconnectLater(String cursor) {
        if (stopped) {
            return;
        }
        // Jitter, as real clients do, so a pod's devices do not all land on the others at once.
        scheduler.schedule(() -> {
            if (stopped) {
                return;
            }
            try {
                reconnects.incrementAndGet();
                open(cursor);
            } catch (Exception refusedOrDown) {
                failedAttempts.incrementAndGet();
                lastFailure = String.valueOf(refusedOrDown);
                reconnectLater(cursor); // that pod is draining or gone: try another
            }
        }, 50 + ThreadLocalRandom.current().nextInt(250), TimeUnit.MILLISECONDS);
    }
}
