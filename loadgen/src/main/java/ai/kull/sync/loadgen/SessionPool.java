package ai.kull.sync.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The device sessions of a run, users x devices, spread round-robin over the gateway URLs, on Vert.x's
 * event loops (tens of thousands of sockets in one JVM). A session the server closes reconnects and
 * resumes from the cursor of the last frame it received, as a real client does.
 */
final class SessionPool {

    /** One device's WebSocket and what it received. */
    final class Session {
        final String userId;
        final String deviceId;
        final URI gateway;
        final DeliveryLedger.Received received;
        volatile WebSocket socket;
        /** The last frame that carried a cursor; the cursor is cut out only when reconnecting. */
        String lastCursorFrame;
        /** Set when connecting with a cursor, cleared by PENDING_CHECK_COMPLETE or RESYNC_REQUIRED. */
        volatile boolean resuming;
        /** How its last resume ended: true for RESYNC_REQUIRED, false for PENDING_CHECK_COMPLETE or none yet. */
        volatile boolean resynced;
        /**
         * Its current socket has received CONNECTION_ESTABLISHED: only then is the device connected (protocol.md
         * section 1), the gateway having registered it for its user's events. Counting the upgrade instead lost the
         * first events of sessions still being registered when publishing began (a merged run under CPU contention).
         */
        boolean established;

        Session(String userId, String deviceId, URI gateway) {
            this.userId = userId;
            this.deviceId = deviceId;
            this.gateway = gateway;
            this.received = new DeliveryLedger.Received(userId);
        }
    }

    private final Vertx vertx;
    private final WebSocketClient client;
    private final Tokens tokens;
    private final DeliveryLedger ledger;
    private final LatencyStats latency;
    private final List<Session> sessions = new ArrayList<>();
    /** Speaks Socket.IO v4 to a Socket.IO server (the peer benchmark) instead of the gateway's protocol. */
    private final boolean socketIo;
    private volatile boolean stopping;

    /** Sessions connected: CONNECTION_ESTABLISHED received on their current socket. */
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger everOpened = new AtomicInteger();
    final LongAdder reconnects = new LongAdder();
    final LongAdder resumed = new LongAdder();
    final LongAdder resyncs = new LongAdder();
    final LongAdder frames = new LongAdder();
    /** Sessions whose server accepted permessage-deflate (only offered with {@code compression}). */
    final LongAdder compressed = new LongAdder();
    /** Refused or failed connection attempts by HTTP status ("io" for a socket error). */
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    SessionPool(Vertx vertx, Tokens tokens, DeliveryLedger ledger, LatencyStats latency, List<URI> gateways,
                String userPrefix, int users, int devicesPerUser, boolean compression) {
        this(vertx, tokens, ledger, latency, gateways, userPrefix, 0, users, devicesPerUser, compression);
    }

    /** Users {@code userPrefix + firstUser} to {@code userPrefix + (firstUser + users - 1)}: one worker's range. */
    SessionPool(Vertx vertx, Tokens tokens, DeliveryLedger ledger, LatencyStats latency, List<URI> gateways,
                String userPrefix, int firstUser, int users, int devicesPerUser, boolean compression) {
        this(vertx, tokens, ledger, latency, gateways, userPrefix, firstUser, users, devicesPerUser, compression, false);
    }

    /** The same, speaking Socket.IO v4 ({@link SocketIo}) when {@code socketIo}. */
    SessionPool(Vertx vertx, Tokens tokens, DeliveryLedger ledger, LatencyStats latency, List<URI> gateways,
                String userPrefix, int firstUser, int users, int devicesPerUser, boolean compression, boolean socketIo) {
        this.socketIo = socketIo;
        this.vertx = vertx;
        this.tokens = tokens;
        this.ledger = ledger;
        this.latency = latency;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(Integer.MAX_VALUE)
                .setConnectTimeout(30_000)
                .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20)
                .setTryUsePerMessageCompression(compression));
        int n = 0;
        for (int u = 0; u < users && !gateways.isEmpty(); u++) {
            for (int d = 0; d < devicesPerUser; d++) {
                sessions.add(new Session(userPrefix + (firstUser + u), "d" + d, gateways.get(n++ % gateways.size())));
            }
        }
    }

    List<Session> sessions() {
        return sessions;
    }

    List<DeliveryLedger.Received> received() {
        return sessions.stream().map(s -> s.received).toList();
    }

    /** Starts connecting every session, at most {@code perSecond} new attempts a second. */
    void connectAll(double perSecond) {
        long[] next = {0};
        long started = System.nanoTime();
        vertx.setPeriodic(10, timer -> {
            long due = Math.min(sessions.size(), (long) ((System.nanoTime() - started) / 1e9 * perSecond) + 1);
            while (next[0] < due) {
                connect(sessions.get((int) next[0]++), null);
            }
            if (next[0] >= sessions.size()) {
                vertx.cancelTimer(timer);
            }
        });
    }

    /**
     * Every session closes its socket and reconnects at once, resuming from its cursor. A frame still arriving
     * on the old socket is ignored: it is past the cursor, so the resume replays it.
     */
    void reconnectStorm() {
        resumeAll(disconnectAll());
    }

    /**
     * Every session closes its socket and stays away (no reconnect); returns each one's cursor, which covers
     * every frame it counted.
     */
    Map<Session, String> disconnectAll() {
        Map<Session, String> cursors = new java.util.HashMap<>();
        for (Session session : sessions) {
            WebSocket socket;
            synchronized (session) { // against onFrame: the cursor read covers every frame counted
                socket = session.socket;
                session.socket = null;
                cursors.put(session, Marker.cursor(lastFrame(session)));
            }
            if (socket != null) {
                socket.closeHandler(null);
                socket.close();
                closed(session);
            }
        }
        return cursors;
    }

    /** Every session connects at once, resuming from its cursor in {@code cursors}. */
    void resumeAll(Map<Session, String> cursors) {
        sessions.forEach(session -> connect(session, cursors.get(session)));
    }

    /** Sessions still waiting for the end of their replay. */
    long resuming() {
        return sessions.stream().filter(s -> s.resuming).count();
    }

    void close() {
        stopping = true;
        sessions.forEach(s -> {
            WebSocket socket = s.socket;
            if (socket != null) {
                socket.close();
            }
        });
        client.close();
    }

    private static String lastFrame(Session session) {
        return session.lastCursorFrame == null ? "" : session.lastCursorFrame;
    }

    private void connect(Session session, String cursor) {
        if (stopping) {
            return;
        }
        String path = socketIo ? SocketIo.PATH
                : "/ws" + (cursor == null ? "" : "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(session.gateway.getHost()).setPort(session.gateway.getPort())
                .setSsl("wss".equals(session.gateway.getScheme()))
                .setURI(path);
        if (!socketIo) { // Socket.IO takes the token in its CONNECT packet
            options.addHeader("Authorization", "Bearer " + tokens.token(session.userId, session.deviceId));
        }
        session.resuming = cursor != null && !socketIo;
        client.connect(options).onComplete(result -> {
            if (result.failed()) {
                refused(session, cursor, result.cause());
                return;
            }
            WebSocket socket = result.result();
            String extensions = socket.headers() == null ? null : socket.headers().get("Sec-WebSocket-Extensions");
            if (extensions != null && extensions.startsWith("permessage-deflate")) {
                compressed.increment();
            }
            synchronized (session) {
                session.socket = socket;
                session.established = false;
            }
            if (socketIo) {
                socket.textMessageHandler(frame -> onSocketIoFrame(session, socket, frame));
            } else {
                socket.textMessageHandler(frame -> onFrame(session, socket, frame));
            }
            socket.closeHandler(closed -> {
                closed(session);
                session.socket = null;
                if (!stopping) {
                    reconnects.increment();
                    // 4003 (sent too fast) asks for a backoff; anything else reconnects soon, with jitter.
                    long delay = Short.valueOf((short) 4003).equals(socket.closeStatusCode()) ? 3_000
                            : 50 + ThreadLocalRandom.current().nextLong(500);
                    vertx.setTimer(delay, t -> connect(session, Marker.cursor(lastFrame(session))));
                }
            });
        });
    }

    /** Its socket is gone: one session fewer connected if it was. */
    private void closed(Session session) {
        synchronized (session) {
            if (session.established) {
                session.established = false;
                open.decrementAndGet();
            }
        }
    }

    private void refused(Session session, String cursor, Throwable cause) {
        String status = cause instanceof UpgradeRejectedException rejected ? String.valueOf(rejected.getStatus()) : "io";
        failures.computeIfAbsent(status, s -> new LongAdder()).increment();
        long delayMillis;
        if (cause instanceof UpgradeRejectedException rejected) {
            if (rejected.getStatus() != 503 && rejected.getStatus() != 429) {
                session.resuming = false;
                return; // 401/403: a token or path problem no retry fixes
            }
            String retryAfter = rejected.getHeaders() == null ? null : rejected.getHeaders().get("Retry-After");
            delayMillis = retryAfter == null ? 1_000 : Long.parseLong(retryAfter.trim()) * 1_000;
        } else {
            delayMillis = 1_000;
        }
        vertx.setTimer(delayMillis + ThreadLocalRandom.current().nextLong(250), t -> connect(session, cursor));
    }

    /**
     * A frame of a Socket.IO session: the handshake, pings and events (see {@link SocketIo}). The session is connected
     * once its namespace CONNECT is accepted: the server has put it in its user's room.
     */
    private void onSocketIoFrame(Session session, WebSocket socket, String frame) {
        switch (SocketIo.packet(frame)) {
            case OPEN -> socket.writeTextMessage(SocketIo.connect(tokens.token(session.userId, session.deviceId)));
            case CONNECTED -> {
                synchronized (session) {
                    if (session.socket == socket && !session.established) {
                        session.established = true;
                        open.incrementAndGet();
                        everOpened.incrementAndGet();
                    }
                }
            }
            case PING -> socket.writeTextMessage(SocketIo.PONG);
            case EVENT -> onFrame(session, socket, frame);
            case CONNECT_ERROR -> { // the token was refused: no retry fixes it, as a 401 from the gateway
                failures.computeIfAbsent("connect_error", s -> new LongAdder()).increment();
                socket.closeHandler(null);
                socket.close();
            }
            case DISCONNECT -> socket.close();
            case OTHER -> {
            }
        }
    }

    private void onFrame(Session session, WebSocket socket, String frame) {
        long now = Marker.nowMicros();
        synchronized (session) {
            if (session.socket == socket) {
                count(session, frame, now);
            }
        }
    }

    private void count(Session session, String frame, long now) {
        frames.increment();
        if (!session.established && "CONNECTION_ESTABLISHED".equals(Marker.type(frame))) {
            session.established = true;
            open.incrementAndGet();
            everOpened.incrementAndGet();
        }
        long[] marker = Marker.read(frame);
        if (marker != null) {
            if (ledger.received(session.received, Marker.envelopeUserId(frame), marker[0])) {
                latency.record(now - marker[1]);
            }
        } else if (session.resuming) {
            String type = Marker.type(frame);
            if ("PENDING_CHECK_COMPLETE".equals(type)) {
                session.resuming = false;
                session.resynced = false;
                resumed.increment();
            } else if ("RESYNC_REQUIRED".equals(type)) {
                session.resuming = false;
                session.resynced = true;
                resyncs.increment();
            }
        }
        if (frame.endsWith("\"}") && frame.lastIndexOf("\"cursor\":\"") > 0) {
            session.lastCursorFrame = frame;
        }
    }
}
