package ai.kull.sync.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real WebSocket client over loopback that records every text frame it receives and how it was closed: a device
 * of the gateway's in-process tests and of system-tests against gateway processes.
 */
public final class TestDevice implements WebSocket.Listener, AutoCloseable {

    public static final String SECRET = "test-secret-test-secret-test-secret-0123";
    /** One client for every device: each HttpClient has its own selector thread. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** One thread for every device's periodic sends ({@link #pingEvery}). */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "test-device-pings");
        thread.setDaemon(true);
        return thread;
    });
    private static final Pattern ENVELOPE_CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"}$");
    private static final Pattern BALANCE = Pattern.compile("\"newBalance\":(\\d+)");

    /** Frames not yet taken by {@link #next()}. */
    public final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    /** Every frame received, taken or not: what "never received X" is checked against. */
    public final List<String> received = new CopyOnWriteArrayList<>();
    /** The close code the server closed this session with. */
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    /** The reason text of the server's close frame (completed together with {@link #closeCode}). */
    public final CompletableFuture<String> closeReason = new CompletableFuture<>();
    /** Called on the client's thread with each complete text frame as it arrives (e.g. to time deliveries). */
    public volatile Consumer<String> onFrame = frame -> { };
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean paused;
    private WebSocket socket;

    public static String token(String userId, String deviceId, Duration validFor, String secret, List<String> orgs)
            throws Exception {
        return token(userId, deviceId, validFor, secret, orgs, List.of());
    }

    public static String token(String userId, String deviceId, Duration validFor, String secret, List<String> orgs,
                        List<String> roles) throws Exception {
        return Tokens.hs256(secret, userId, validFor, roles, claims -> {
            if (deviceId != null) {
                claims.setClaim("device", deviceId);
            }
            if (!orgs.isEmpty()) {
                claims.setStringListClaim("orgs", orgs);
            }
        });
    }

    public static TestDevice connect(URI uri) throws Exception {
        TestDevice device = new TestDevice();
        CompletableFuture<WebSocket> opening = HTTP.newWebSocketBuilder().buildAsync(uri, device);
        try {
            device.socket = opening.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException slow) {
            opening.thenAccept(WebSocket::abort); // no half-open session left behind, receiving unseen
            throw slow;
        }
        return device;
    }

    /** Opens a session without waiting: the future completes when the upgrade succeeded or was refused. */
    public static CompletableFuture<TestDevice> connectAsync(URI uri) {
        TestDevice device = new TestDevice();
        return HTTP.newWebSocketBuilder().buildAsync(uri, device).thenApply(socket -> {
            device.socket = socket;
            return device;
        });
    }

    /**
     * Waits until the gateway attached the session (CONNECTION_ESTABLISHED arrived) without taking the frame:
     * the upgrade completes a little before, and events routed in between are not this session's.
     */
    public TestDevice awaitEstablished() {
        Waits.await("CONNECTION_ESTABLISHED").pollInterval(Duration.ofMillis(5))
                .until(() -> received.stream().anyMatch(frame -> frame.contains("\"type\":\"CONNECTION_ESTABLISHED\"")));
        return this;
    }

    /** The HTTP status an upgrade attempt was refused with. */
    public static int refusedStatus(URI uri) throws Exception {
        HttpResponse<?> refusal = refusal(uri);
        return refusal == null ? 101 : refusal.statusCode();
    }

    /** The HTTP response an upgrade attempt was refused with (status and headers), or null if it was accepted. */
    public static HttpResponse<?> refusal(URI uri) throws Exception {
        try {
            connect(uri).close();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse();
            }
            throw e;
        }
    }

    /** Something running until closed. */
    public interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Sends a PING every {@code interval} until closed or the session ends: a device that stopped reading still
     * sends, which keeps the gateway from closing it as idle.
     */
    public Running pingEvery(Duration interval) {
        ScheduledFuture<?> pings = TIMER.scheduleAtFixedRate(() -> {
            try {
                send("{\"type\":\"PING\"}");
            } catch (RuntimeException closed) {
                // the session ended: closeCode completes and stops the pings
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        closeCode.whenComplete((code, error) -> pings.cancel(false));
        return () -> pings.cancel(false);
    }

    public void send(String frame) {
        socket.sendText(frame, true).join();
    }

    /** Sends one text message as several frames (WebSocket continuation frames). */
    public void sendFragmented(List<String> parts) {
        for (int i = 0; i < parts.size(); i++) {
            socket.sendText(parts.get(i), i == parts.size() - 1).join();
        }
    }

    public void sendBinary(byte[] frame) {
        socket.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    /**
     * Stops reading from the socket after the frame in flight: the client's TCP receive window fills and the
     * server's writes stay pending, as with a device on a stalled network. Sending still works.
     */
    public void pauseReading() {
        paused = true;
    }

    public void resumeReading() {
        paused = false;
        socket.request(1);
    }

    public String next() throws InterruptedException {
        String frame = frames.poll(15, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame within 15 s");
        }
        return frame;
    }

    /** The next frame of the given type, skipping others (e.g. presence). */
    public String next(String type) throws InterruptedException {
        return next(type, "");
    }

    /** The next frame of the given type that contains {@code text}, skipping others. */
    public String next(String type, String text) throws InterruptedException {
        while (true) {
            String frame = next();
            if (frame.contains("\"type\":\"" + type + "\"") && frame.contains(text)) {
                return frame;
            }
        }
    }

    /** The cursor of the last frame received that carries one: what a reconnect resumes from. */
    public String lastCursor() {
        for (int i = received.size() - 1; i >= 0; i--) {
            Matcher cursor = ENVELOPE_CURSOR.matcher(received.get(i));
            if (cursor.find()) {
                return cursor.group(1);
            }
        }
        return null;
    }

    /**
     * The balances of the CREDIT_UPDATE frames received, up to and including {@code last} (skipping other
     * frames): what "every event, in order" is checked against.
     */
    public List<Long> balancesUntil(long last) throws InterruptedException {
        List<Long> balances = new ArrayList<>();
        while (balances.isEmpty() || balances.get(balances.size() - 1) != last) {
            Matcher balance = BALANCE.matcher(next("CREDIT_UPDATE"));
            if (!balance.find()) {
                throw new AssertionError("a CREDIT_UPDATE without newBalance");
            }
            balances.add(Long.parseLong(balance.group(1)));
        }
        return balances;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String frame = partial.toString();
            onFrame.accept(frame);
            received.add(frame);
            frames.add(frame);
            partial.setLength(0);
        }
        if (!paused) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason.complete(reason);
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeReason.completeExceptionally(error);
        closeCode.completeExceptionally(error);
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        socket.abort();
    }

}
