package ai.kull.sync.gateway.session;

import ai.kull.sync.gateway.auth.DeviceIdentity;
import io.quarkus.websockets.next.WebSocketConnection;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One open WebSocket of one device, with what it is allowed and has asked to receive. */
public final class DeviceSession {

    private final WebSocketConnection connection;
    private final DeviceIdentity identity;
    private final Set<String> subscribedOrgs = ConcurrentHashMap.newKeySet();

    public DeviceSession(WebSocketConnection connection, DeviceIdentity identity) {
        this.connection = connection;
        this.identity = identity;
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

    Set<String> subscribedOrgs() {
        return subscribedOrgs;
    }

    @Override
    public String toString() {
        return identity.userId() + "/" + identity.deviceId() + "#" + connection.id();
    }
}
