package ai.kull.sync.gateway.presence;

import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which devices of each user are connected, on any pod, as told by the presence topic. Every pod keeps
 * the whole directory, so any pod answers the device list. A pod that stops sending heartbeats, or
 * restarts under the same id, takes its devices with it.
 * <p>
 * Written by the consumer thread and the liveness check, read by HTTP threads; writes are rare next to
 * deliveries (connects, disconnects, heartbeats), so they are simply synchronized.
 */
@ApplicationScoped
public class DeviceDirectory {

    /** One connection of a device; a device may hold several (two tabs, or a reconnect on another pod). */
    public record Connection(String userId, DeviceConnection device) {
        private Key key() {
            return new Key(userId, device.deviceId(), device.pod(), device.connectedAt());
        }
    }

    /** Identifies a connection in both its connect and its disconnect announcement. */
    private record Key(String userId, String deviceId, String pod, long connectedAt) {
    }

    /** @param startedAt the pod's start time by its own clock, 0 until its first heartbeat */
    private record PodState(long startedAt, long lastSeenAt) {
    }

    private final ConcurrentHashMap<String, Map<Key, DeviceConnection>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<Key>> byPod = new HashMap<>();
    private final ConcurrentHashMap<String, PodState> pods = new ConcurrentHashMap<>();
    private final long podTimeoutMillis;

    @Inject
    public DeviceDirectory(GatewayConfig config) {
        this(config.presence().podTimeout().toMillis());
    }

    DeviceDirectory(long podTimeoutMillis) {
        this.podTimeoutMillis = podTimeoutMillis;
    }

    /** @param seenAt when the announcing pod was known alive (the record's time) */
    public synchronized void connected(String userId, DeviceConnection device, long seenAt) {
        if (device.pod() == null) {
            return; // not from a gateway pod: nothing would ever expire it, so it is not listed
        }
        podSeen(device.pod(), 0, seenAt);
        Key key = new Connection(userId, device).key();
        byUser.computeIfAbsent(userId, u -> new ConcurrentHashMap<>()).put(key, device);
        byPod.computeIfAbsent(device.pod(), p -> new HashSet<>()).add(key);
    }

    public synchronized void disconnected(String userId, DeviceConnection device) {
        if (device.pod() != null) {
            remove(new Connection(userId, device).key());
        }
    }

    /**
     * A pod is alive. A newer {@code startedAt} than known means it restarted and lost its earlier sessions.
     *
     * @return the connections that ended with the pod's restart, now removed
     */
    public synchronized List<Connection> heartbeat(String pod, long startedAt, long seenAt) {
        return podSeen(pod, startedAt, seenAt);
    }

    /**
     * @param selfPod this pod: while its own heartbeats are not coming back either, the presence topic is
     *                what is silent (a Kafka outage), not the other pods, so nothing expires
     * @return the connections of pods not heard from within the pod timeout, now removed
     */
    public synchronized List<Connection> expireSilentPods(String selfPod, long now) {
        PodState self = pods.get(selfPod);
        if (self == null || !alive(self, now)) {
            return List.of();
        }
        List<Connection> gone = new ArrayList<>();
        pods.entrySet().removeIf(pod -> {
            if (alive(pod.getValue(), now)) {
                return false;
            }
            gone.addAll(removePod(pod.getKey(), Long.MAX_VALUE));
            return true;
        });
        return gone;
    }

    /** The user's devices on live pods, one entry per device (its newest connection), oldest first. */
    public List<DeviceConnection> devicesOf(String userId, long now) {
        Map<Key, DeviceConnection> connections = byUser.get(userId);
        if (connections == null) {
            return List.of();
        }
        Map<String, DeviceConnection> newestPerDevice = new HashMap<>();
        for (DeviceConnection device : connections.values()) {
            PodState pod = pods.get(device.pod());
            if (pod != null && alive(pod, now)) {
                newestPerDevice.merge(device.deviceId(), device, (a, b) -> a.connectedAt() >= b.connectedAt() ? a : b);
            }
        }
        return newestPerDevice.values().stream().sorted(Comparator.comparing(DeviceConnection::connectedAt)).toList();
    }

    private boolean alive(PodState pod, long now) {
        return now - pod.lastSeenAt() <= podTimeoutMillis;
    }

    private List<Connection> podSeen(String pod, long startedAt, long seenAt) {
        PodState known = pods.get(pod);
        long knownStart = known == null ? 0 : known.startedAt();
        long lastSeen = known == null ? seenAt : Math.max(known.lastSeenAt(), seenAt);
        pods.put(pod, new PodState(Math.max(startedAt, knownStart), lastSeen));
        // Connections a pod made before it (re)started belong to an earlier life of that pod.
        return startedAt > knownStart ? removePod(pod, startedAt) : List.of();
    }

    /** Removes the pod's connections made before {@code before} (by the pod's clock). */
    private List<Connection> removePod(String pod, long before) {
        Set<Key> keys = byPod.get(pod);
        if (keys == null) {
            return List.of();
        }
        List<Connection> removed = new ArrayList<>();
        for (Key key : List.copyOf(keys)) {
            if (key.connectedAt() < before) {
                removed.add(new Connection(key.userId(), remove(key)));
            }
        }
        return removed;
    }

    /** @return the removed connection's device, or null when it was not listed */
    private DeviceConnection remove(Key key) {
        DeviceConnection[] removed = new DeviceConnection[1];
        byUser.computeIfPresent(key.userId(), (user, connections) -> {
            removed[0] = connections.remove(key);
            return connections.isEmpty() ? null : connections;
        });
        Set<Key> ofPod = byPod.get(key.pod());
        if (ofPod != null && ofPod.remove(key) && ofPod.isEmpty()) {
            byPod.remove(key.pod());
        }
        return removed[0];
    }
}
