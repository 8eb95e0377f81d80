package ai.kull.sync.testing;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
public final class ResilientDevice {

    /** A gateway a device can connect to: the WebSocket address of a path and query on it. */
    public interface Pod {
        URI ws(String pathAndQuery);
    }

    /** The sequence number of a CREDIT_UPDATE (its balance) or of a team's NOTIFICATION_SEEN (its data's seq). */
    private static final Pattern BALANCE =
            Pattern.compile("\"type\":\"(?:CREDIT_UPDATE\".*\"newBalance|NOTIFICATION_SEEN\".*\"seq)\":(\\d+)");
    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"}$");

    public final String userId;
    public final String deviceId;
    public final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private volatile String lastFailure = "none";
    private final String token;
    private final Supplier<? extends List<? extends Pod>> livePods;
    private final ScheduledExecutorService scheduler;
    private final List<TestDevice> sessions = new CopyOnWriteArrayList<>();
    /** Sessions the device itself left: what it processed of each (frames after that were not, as a client). */
    private final Map<TestDevice, Integer> processed = new ConcurrentHashMap<>();
    /** The session whose end makes the device reconnect; none while it is away. */
    private volatile TestDevice current;
    private volatile String awayCursor;
    private volatile boolean away;
    private volatile boolean stopped;

    public ResilientDevice(String userId, String deviceId, Supplier<? extends List<? extends Pod>> livePods,
                    ScheduledExecutorService scheduler) throws Exception {
        this.userId = userId;
        this.deviceId = deviceId;
        this.livePods = livePods;
        this.scheduler = scheduler;
        this.token = TestDevice.token(userId, deviceId, Duration.ofHours(1), TestDevice.SECRET, List.of());
    }

    /** Connects (first time: without a cursor) and waits until the session is established. */
    public void connect() throws Exception {
        TestDevice session = open(null);
        session.next("CONNECTION_ESTABLISHED");
    }

    /**
     * Goes away as a closed laptop does: ends its session without reconnecting, keeping the cursor of the last
     * frame it processed. Frames still arriving while the socket closes are not processed (nor counted).
     */
    public void leave() {
        away = true;
        TestDevice session = current != null ? current : sessions.get(sessions.size() - 1);
        current = null;
        session.close();
        int upTo = session.received.size();
        processed.put(session, upTo);
        String cursor = cursorIn(session.received.subList(0, upTo));
        awayCursor = cursor != null ? cursor : awayCursor;
    }

    /** Comes back on {@code pod} with the cursor it left with; if that pod is gone, on another live one. */
    public void comeBack(Pod pod) {
        String cursor = awayCursor;
        away = false;
        try {
            open(cursor, pod);
        } catch (Exception refusedOrDown) {
            failedAttempts.incrementAndGet();
            lastFailure = String.valueOf(refusedOrDown);
            reconnectLater(cursor);
        }
    }

    /** The current session, or null while away. */
    public TestDevice current() {
        return current;
    }

    /** The balances of every CREDIT_UPDATE (seq of every NOTIFICATION_SEEN) received, in order, over all sessions. */
    public List<Long> balances() {
        List<Long> balances = new ArrayList<>();
        for (TestDevice session : sessions) {
            Integer upTo = processed.get(session);
            for (String frame : upTo == null ? session.received : session.received.subList(0, upTo)) {
                Matcher balance = BALANCE.matcher(frame);
                if (balance.find()) {
                    balances.add(Long.parseLong(balance.group(1)));
                }
            }
        }
        return balances;
    }

    public long resyncs() {
        return sessions.stream().flatMap(s -> s.received.stream()).filter(f -> f.contains("\"RESYNC_REQUIRED\"")).count();
    }

    public long resumedSessions() {
        return sessions.stream().flatMap(s -> s.received.stream()).filter(f -> f.contains("\"resumed\":true")).count();
    }

    /** For a failure message: how this device's sessions went. */
    public String describe() {
        StringBuilder text = new StringBuilder(userId + "/" + deviceId + ": " + sessions.size() + " sessions, "
                + failedAttempts.get() + " failed reconnects (last: " + lastFailure + "), closes:");
        for (TestDevice session : sessions) {
            text.append(' ').append(session.closeCode.isDone()
                    ? String.valueOf(session.closeCode.exceptionally(e -> -1).join()) : "open");
        }
        return text.toString();
    }

    public void stop() {
        stopped = true;
        sessions.forEach(TestDevice::close);
    }

    private TestDevice open(String cursor) throws Exception {
        List<? extends Pod> pods = livePods.get();
        return open(cursor, pods.get(ThreadLocalRandom.current().nextInt(pods.size())));
    }

    private TestDevice open(String cursor, Pod pod) throws Exception {
        String query = "/ws?token=" + token + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        TestDevice session = TestDevice.connect(pod.ws(query));
        sessions.add(session);
        current = session;
        session.closeCode.whenComplete((code, error) -> {
            if (session == current) { // not one the device left
                // A session cut off before its first frame leaves the device where it stood.
                String last = session.lastCursor();
                reconnectLater(last != null ? last : cursor);
            }
        });
        return session;
    }

    private static String cursorIn(List<String> frames) {
        for (int i = frames.size() - 1; i >= 0; i--) {
            Matcher cursor = CURSOR.matcher(frames.get(i));
            if (cursor.find()) {
                return cursor.group(1);
            }
        }
        return null;
    }

    private void reconnectLater(String cursor) {
        if (stopped || away) {
            return;
        }
        // Jitter, as real clients do, so a pod's devices do not all land on the others at once.
        scheduler.schedule(() -> {
            if (stopped || away) {
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
