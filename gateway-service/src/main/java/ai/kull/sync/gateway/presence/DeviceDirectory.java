package ai.kull.sync.gateway.presence;

import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    }

    /** @param startedAt the pod's start time by its own clock, 0 until its first heartbeat */
    private record PodState(String pod, long startedAt, long lastSeenAt) {
    }

    private static final DeviceConnection[] NONE = new DeviceConnection[0];

    /*
     * Every pod holds an entry per connected device of the whole cluster, so entries are small (issue 15): per
     * user an array of its connections, replaced whole by the (synchronized) writers and read without a lock;
     * per pod its connections; pod names shared through the pods map rather than one copy per announcement.
     */
    private final ConcurrentHashMap<String, DeviceConnection[]> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byPod = new HashMap<>();
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
        String pod = pods.get(device.pod()).pod();
        DeviceConnection entry = pod == device.pod() ? device : new DeviceConnection(device.deviceId(),
                device.platform(), device.deviceName(), device.connectedAt(), pod);
        DeviceConnection[] known = byUser.getOrDefault(userId, NONE);
        int at = indexOf(known, entry);
        DeviceConnection[] now = Arrays.copyOf(known, at < 0 ? known.length + 1 : known.length);
        if (at >= 0) {
            byPod.get(pod).remove(new Connection(userId, known[at]));
        }
        now[at < 0 ? known.length : at] = entry;
        byUser.put(userId, now);
        byPod.computeIfAbsent(pod, p -> new HashSet<>()).add(new Connection(userId, entry));
    }

    public synchronized void disconnected(String userId, DeviceConnection device) {
        if (device.pod() != null) {
            remove(userId, device);
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
        DeviceConnection[] connections = byUser.get(userId);
        if (connections == null) {
            return List.of();
        }
        Map<String, DeviceConnection> newestPerDevice = new HashMap<>();
        for (DeviceConnection device : connections) {
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
        pods.put(pod, new PodState(known == null ? pod : known.pod(), Math.max(startedAt, knownStart), lastSeen));
        // Connections a pod made before it (re)started belong to an earlier life of that pod.
        return startedAt > knownStart ? removePod(pod, startedAt) : List.of();
    }

    /** Removes the pod's connections made before {@code before} (by the pod's clock). */
    private List<Connection> removePod(String pod, long before) {
        Set<Connection> connections = byPod.get(pod);
        if (connections == null) {
            return List.of();
        }
        List<Connection> removed = new ArrayList<>();
        for (Connection connection : List.copyOf(connections)) {
            if (connection.device().connectedAt() < before && remove(connection.userId(), connection.device()) != null) {
                removed.add(connection);
            }
        }
        return removed;
    }

    /** @return the removed connection's device, or null when it was not listed */
    private DeviceConnection remove(String userId, DeviceConnection device) {
        DeviceConnection[] known = byUser.get(userId);
        int at = known == null ? -1 : indexOf(known, device);
        if (at < 0) {
            return null;
        }
        DeviceConnection removed = known[at];
        if (known.length == 1) {
            byUser.remove(userId);
        } else {
            DeviceConnection[] now = new DeviceConnection[known.length - 1];
            System.arraycopy(known, 0, now, 0, at);
            System.arraycopy(known, at + 1, now, at, known.length - at - 1);
            byUser.put(userId, now);
        }
        Set<Connection> ofPod = byPod.get(removed.pod());
        if (ofPod != null && ofPod.remove(new Connection(userId, removed)) && ofPod.isEmpty()) {
            byPod.remove(removed.pod());
        }
        return removed;
    }

    /** A connection is the same in its connect and its disconnect announcement: device, pod and connect time. */
    private static int indexOf(DeviceConnection[] connections, DeviceConnection device) {
        for (int i = 0; i < connections.length; i++) {
            DeviceConnection known = connections[i];
            if (known.deviceId().equals(device.deviceId()) && known.pod().equals(device.pod())
                    && Objects.equals(known.connectedAt(), device.connectedAt())) {
                return i;
            }
        }
        return -1;
    }
}
