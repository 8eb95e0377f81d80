package ai.kull.sync.gateway.sse;

import ai.kull.sync.gateway.session.DeviceConnection;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * A session's Server-Sent Events stream: each frame one event ({@code data:} the frame's JSON, {@code id:} its
 * cursor when it carries one, so an EventSource's Last-Event-ID resumes); the server's close is a final
 * {@code event: close} whose data is {@code {"code":...,"reason":"..."}}, the code a WebSocket would close with,
 * then the response ends.
 */
final class SseConnection implements DeviceConnection {

    /** The close event's name. */
    static final String CLOSE_EVENT = "close";
    private static final String CURSOR_FIELD = ",\"cursor\":\"";

    private final String id;
    private final String path;
    private final HttpServerResponse response;
    /** No more writes: the server is closing the stream, or the client went away. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Told once, with the close code (-1: the client went away), whichever side ends the stream. */
    private IntConsumer onEnd;
    private boolean told;
    /** How the stream ended before anyone listened (while the session opened), or null. */
    private Integer endedWith;

    SseConnection(String id, String path, HttpServerResponse response) {
        this.id = id;
        this.path = path;
        this.response = response;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String path() {
        return path;
    }

    /** {@code whenEnded} gets the close code, or -1 when the client closed the connection. */
    void whenEnded(IntConsumer whenEnded) {
        synchronized (this) {
            onEnd = whenEnded;
        }
        response.closeHandler(closed -> clientWentAway());
        if (response.closed()) {
            clientWentAway();
        }
        Integer early;
        synchronized (this) {
            early = endedWith;
        }
        if (early != null) {
            tell(early);
        }
    }

    @Override
    public void write(String frame, Handler<AsyncResult<Void>> done) {
        if (ended.get()) {
            done.handle(Future.failedFuture("stream ended"));
            return;
        }
        response.write(Buffer.buffer(event(frame)), done);
    }

    /** A comment line: keeps proxies from timing the stream out and lets the client tell a dead stream from a quiet one. */
    void heartbeat() {
        if (!ended.get()) {
            response.write(":\n\n");
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        String data = "{\"code\":" + code + ",\"reason\":\"" + jsonEscaped(reason) + "\"}";
        response.end("event: " + CLOSE_EVENT + "\ndata: " + data + "\n\n", done -> tell(code));
    }

    private void clientWentAway() {
        ended.set(true);
        tell(-1);
    }

    private void tell(int code) {
        IntConsumer whenEnded;
        synchronized (this) {
            if (onEnd == null) {
                endedWith = endedWith == null ? code : endedWith;
                return;
            }
            if (told) {
                return;
            }
            told = true;
            whenEnded = onEnd;
        }
        whenEnded.accept(code);
    }

    /**
     * One SSE event. A frame's JSON has no line breaks except as whitespace between tokens, where a {@code data:}
     * line per line keeps the JSON the same (the client joins them with a newline).
     */
    static String event(String frame) {
        StringBuilder event = new StringBuilder(frame.length() + 80);
        String cursor = trailingCursor(frame);
        if (cursor != null) {
            event.append("id: ").append(cursor).append('\n');
        }
        if (frame.indexOf('\n') < 0 && frame.indexOf('\r') < 0) {
            event.append("data: ").append(frame).append('\n');
        } else {
            for (String line : frame.split("\r\n|\r|\n")) {
                event.append("data: ").append(line).append('\n');
            }
        }
        return event.append('\n').toString();
    }

    /** The envelope's cursor when it is the frame's last field (events carry it there), else null. */
    static String trailingCursor(String frame) {
        if (!frame.endsWith("\"}")) {
            return null;
        }
        int at = frame.lastIndexOf(CURSOR_FIELD);
        if (at < 0) {
            return null;
        }
        String cursor = frame.substring(at + CURSOR_FIELD.length(), frame.length() - 2);
        return cursor.indexOf('"') < 0 && cursor.indexOf('\\') < 0 ? cursor : null;
    }

    static String jsonEscaped(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> escaped.append("\\\"");
                case '\\' -> escaped.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }
}
