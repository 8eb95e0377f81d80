package ai.kull.sync.gateway.session;

import ai.kull.sync.gateway.auth.DeviceIdentity;
import io.quarkus.websockets.next.WebSocketConnection;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** One open WebSocket of one device, with what it is allowed and has asked to receive. */
public final class DeviceSession {

    private final WebSocketConnection connection;
    private final DeviceIdentity identity;
    private final Set<String> subscribedOrgs = ConcurrentHashMap.newKeySet();
    private final long connectedAt;
    /** Last frame or pong from the device: how dead connections are told from quiet ones. */
    private volatile long lastHeardAt;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Set by the router when the session attaches; read and changed only under its lock. */
    private SessionStream stream;
    private final OutboundBudget outbound = new OutboundBudget();

    public DeviceSession(WebSocketConnection connection, DeviceIdentity identity, long connectedAt) {
        this.connection = connection;
        this.identity = identity;
        this.connectedAt = connectedAt;
        this.lastHeardAt = connectedAt;
    }

    public SessionStream stream() {
        return stream;
    }

    public void stream(SessionStream stream) {
        this.stream = stream;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public long lastHeardAt() {
        return lastHeardAt;
    }

    public void heardAt(long millis) {
        lastHeardAt = millis;
    }

    /** @return true the first time only, so a session is closed once even if several reasons apply */
    public boolean startClosing() {
        return closing.compareAndSet(false, true);
    }

    public boolean closing() {
        return closing.get();
    }

    /** Frames written to this session's socket and not yet completed: how slow consumers are found. */
    public OutboundBudget outbound() {
        return outbound;
    }

    public DeviceIdentity identity() {
        return identity;
    }

    public String userId() {
        return identity.userId();
    }

    public String deviceId() {
        return identity.deviceId();
    }

    public WebSocketConnection connection() {
        return connection;
    }

    public Set<String> subscribedOrgs() {
        return subscribedOrgs;
    }

    @Override
    public String toString() {
        return identity.userId() + "/" + identity.deviceId() + "#" + connection.id();
    }
}
