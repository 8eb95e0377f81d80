package ai.kull.sync.gateway.session;

import ai.kull.sync.gateway.auth.DeviceIdentity;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One open connection (WebSocket or SSE stream) of one device, with what it is allowed and has asked to receive. */
public final class DeviceSession {

    private final DeviceConnection connection;
    private final DeviceIdentity identity;
    /** Created by the first SUBSCRIBE: most sessions never join an org, and an idle session's bytes add up. */
    private volatile Set<String> subscribedOrgs;
    private final long connectedAt;
    /** Last frame or pong from the device: how dead connections are told from quiet ones. */
    private volatile long lastHeardAt;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Set by the router when the session attaches; read and changed only under its lock. */
    private SessionStream stream;
    private final OutboundBudget outbound = new OutboundBudget();
    /** What the admin API shows of the session; written where they happen, read by admin requests. */
    private volatile boolean resumed;
    private volatile int serverCloseCode;
    private volatile long lastFrameInAt;
    private volatile long lastFrameOutAt;
    private final AtomicInteger rateLimitHits = new AtomicInteger();

    public DeviceSession(DeviceConnection connection, DeviceIdentity identity, long connectedAt) {
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

    /** A client frame (not a pong) arrived. */
    public void frameIn(long millis) {
        lastHeardAt = millis;
        lastFrameInAt = millis;
    }

    public long lastFrameInAt() {
        return lastFrameInAt;
    }

    void frameOut(long millis) {
        lastFrameOutAt = millis;
    }

    public long lastFrameOutAt() {
        return lastFrameOutAt;
    }

    public boolean resumed() {
        return resumed;
    }

    /** The session resumed from a client's cursor without loss. */
    public void markResumed() {
        resumed = true;
    }

    /** A client frame answered RATE_LIMITED (or that closed the session for sending too fast). */
    public void rateLimited() {
        rateLimitHits.incrementAndGet();
    }

    public int rateLimitHits() {
        return rateLimitHits.get();
    }

    /** @return true the first time only, so a session is closed once even if several reasons apply */
    public boolean startClosing() {
        return closing.compareAndSet(false, true);
    }

    /**
     * The code the server closed with: what the recently-closed list shows, since a device that stopped
     * reading never answers the close frame and its connection ends without a code.
     */
    void closingWith(int code) {
        serverCloseCode = code;
    }

    /** The code the server closed this session with, or 0 when the server did not close it. */
    public int serverCloseCode() {
        return serverCloseCode;
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

    public DeviceConnection connection() {
        return connection;
    }

    /** The orgs joined so far (a live view; empty, and not to be changed, before the first join). */
    public Set<String> subscribedOrgs() {
        Set<String> orgs = subscribedOrgs;
        return orgs == null ? Set.of() : orgs;
    }

    /** @return true when {@code orgId} was not joined yet */
    boolean joinOrg(String orgId) {
        Set<String> orgs = subscribedOrgs;
        if (orgs == null) {
            synchronized (this) {
                orgs = subscribedOrgs;
                if (orgs == null) {
                    orgs = ConcurrentHashMap.newKeySet();
                    subscribedOrgs = orgs;
                }
            }
        }
        return orgs.add(orgId);
    }

    /** @return true when {@code orgId} was joined */
    boolean leaveOrg(String orgId) {
        Set<String> orgs = subscribedOrgs;
        return orgs != null && orgs.remove(orgId);
    }

    @Override
    public String toString() {
        return identity.userId() + "/" + identity.deviceId() + "#" + connection.id();
    }
}
