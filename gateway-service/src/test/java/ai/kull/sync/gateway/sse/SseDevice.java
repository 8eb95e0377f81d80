package ai.kull.sync.gateway.sse;

import ai.kull.sync.testing.Waits;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A device on the SSE fallback, as a plain HTTP client sees it: a streamed GET whose events it parses (data lines,
 * id lines, the final close event), and POSTs of client frames to its session.
 */
final class SseDevice implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern CONNECTION_ID = Pattern.compile("\"connectionId\":\"([^\"]+)\"");
    private static final Pattern CLOSE = Pattern.compile("\\{\"code\":(\\d+),\"reason\":\"(.*)\"}");

    /** One event: its data and its id (null when it had none). */
    record Event(String data, String id) {
    }

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final List<Event> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final CompletableFuture<String> closeReason = new CompletableFuture<>();
    /** The stream ended (by the server's close or a lost connection). */
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final URI base;
    private final String token;
    private final InputStream body;
    private volatile String sessionId;
    /** Called on the reader's thread the moment CONNECTION_ESTABLISHED arrives (as a browser's SDK POSTs at once). */
    volatile java.util.function.Consumer<String> onEstablished = id -> { };

    private SseDevice(URI base, String token, InputStream body) {
        this.base = base;
        this.token = token;
        this.body = body;
    }

    /** The GET that opens a stream, with the token in Authorization and {@code lastEventId} (if any) as Last-Event-ID. */
    static HttpResponse<InputStream> open(URI base, String path, String token, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "text/event-stream");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** A stream that was accepted; reads its events on a thread of its own. */
    static SseDevice connect(URI base, String path, String token, String lastEventId) throws Exception {
        return connect(base, path, token, lastEventId, id -> { });
    }

    static SseDevice connect(URI base, String path, String token, String lastEventId,
                             java.util.function.Consumer<String> onEstablished) throws Exception {
        HttpResponse<InputStream> response = open(base, path, token, lastEventId);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("stream refused: " + response.statusCode() + " "
                    + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        SseDevice device = new SseDevice(base, token, response.body());
        device.onEstablished = onEstablished;
        Thread reader = new Thread(device::read, "sse-device");
        reader.setDaemon(true);
        reader.start();
        return device;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            String id = null;
            String name = null;
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        dispatch(name, data.toString(), id);
                    }
                    data.setLength(0);
                    id = null;
                    name = null;
                } else if (line.startsWith("data: ")) {
                    data.append(data.isEmpty() ? "" : "\n").append(line.substring(6));
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                }
            }
        } catch (Exception lost) {
            // the stream was closed
        } finally {
            closeCode.complete(1006);
            closeReason.complete("");
            ended.complete(null);
        }
    }

    private void dispatch(String name, String data, String id) {
        if ("close".equals(name)) {
            Matcher close = CLOSE.matcher(data);
            if (close.matches()) {
                closeCode.complete(Integer.parseInt(close.group(1)));
                closeReason.complete(close.group(2));
            }
            return;
        }
        Matcher connection = CONNECTION_ID.matcher(data);
        if (sessionId == null && data.contains("\"type\":\"CONNECTION_ESTABLISHED\"") && connection.find()) {
            sessionId = connection.group(1);
            onEstablished.accept(sessionId);
        }
        Event event = new Event(data, id);
        received.add(event);
        events.add(event);
    }

    SseDevice awaitEstablished() {
        Waits.await("CONNECTION_ESTABLISHED over SSE").pollInterval(Duration.ofMillis(5)).until(() -> sessionId != null);
        return this;
    }

    String sessionId() {
        return sessionId;
    }

    /** The next event whose data contains {@code "type":"<type>"}, skipping others. */
    Event next(String type) throws InterruptedException {
        while (true) {
            Event event = events.poll(Waits.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no " + type + " in time; received " + received);
            }
            if (event.data().contains("\"type\":\"" + type + "\"")) {
                return event;
            }
        }
    }

    /** POSTs one client frame to this session with this device's token. */
    HttpResponse<String> post(String frame) throws Exception {
        return post(frame, token, sessionId);
    }

    HttpResponse<String> post(String frame, String withToken, String toSession) throws Exception {
        return post(base, withToken, toSession, frame);
    }

    static HttpResponse<String> post(URI base, String withToken, String toSession, String frame) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/sse/sessions/" + toSession))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        if (withToken != null) {
            request.header("Authorization", "Bearer " + withToken);
        }
        return HTTP.send(request.POST(HttpRequest.BodyPublishers.ofString(frame)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        body.close();
    }
}
