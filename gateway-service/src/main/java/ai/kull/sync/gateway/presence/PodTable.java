package ai.kull.sync.gateway.presence;

import ai.kull.sync.events.payload.PodHeartbeat;
import ai.kull.sync.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every pod's last heartbeat, with when it arrived: the admin API's pod list, and the pods it asks when a
 * question concerns the whole cluster. A pod not heard from within {@code gateway.presence.pod-timeout} is
 * not listed.
 */
@ApplicationScoped
public class PodTable {

    /** A pod's last heartbeat and when this pod received it. */
    public record Pod(PodHeartbeat heartbeat, long seenAt) {
    }

    private final ConcurrentHashMap<String, Pod> pods = new ConcurrentHashMap<>();
    private final long timeoutMillis;

    public PodTable(GatewayConfig config) {
        this.timeoutMillis = config.presence().podTimeout().toMillis();
    }

    void heard(PodHeartbeat heartbeat, long seenAt) {
        pods.merge(heartbeat.pod(), new Pod(heartbeat, seenAt), (old, next) -> next.seenAt() >= old.seenAt() ? next : old);
    }

    /** Live pods, by id. */
    public List<Pod> live(long now) {
        pods.values().removeIf(pod -> now - pod.seenAt() > timeoutMillis);
        return pods.values().stream().sorted(Comparator.comparing(pod -> pod.heartbeat().pod())).toList();
    }
}
