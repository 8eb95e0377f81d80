package ai.kull.sync.gateway.session;

import ai.kull.sync.gateway.metrics.GatewayMetrics;
import jakarta.inject.Singleton;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions connected to this pod, indexed the ways the router looks them up: by user, by
 * subscribed organization, and all of them (broadcasts). Lookups are O(1), because every record of
 * every partition passes through here and most match no local session.
 */
@Singleton
public class SessionRegistry {

    private final ConcurrentHashMap<String, Set<DeviceSession>> byUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<DeviceSession>> byOrg = new ConcurrentHashMap<>();
    private final Set<DeviceSession> all = ConcurrentHashMap.newKeySet();

    public SessionRegistry(GatewayMetrics metrics) {
        metrics.sessionsGauge(all);
    }

    public void add(DeviceSession session) {
        all.add(session);
        addTo(byUser, session.userId(), session);
    }

    public void remove(DeviceSession session) {
        all.remove(session);
        removeFrom(byUser, session.userId(), session);
        for (String orgId : session.subscribedOrgs()) {
            removeFrom(byOrg, orgId, session);
        }
    }

    public void subscribe(DeviceSession session, String orgId) {
        if (session.joinOrg(orgId)) {
            addTo(byOrg, orgId, session);
        }
    }

    public void unsubscribe(DeviceSession session, String orgId) {
        if (session.leaveOrg(orgId)) {
            removeFrom(byOrg, orgId, session);
        }
    }

    public Collection<DeviceSession> forUser(String userId) {
        Set<DeviceSession> sessions = userId == null ? null : byUser.get(userId);
        return sessions == null ? Set.of() : sessions;
    }

    public Collection<DeviceSession> forOrg(String orgId) {
        Set<DeviceSession> sessions = orgId == null ? null : byOrg.get(orgId);
        return sessions == null ? Set.of() : sessions;
    }

    public Collection<DeviceSession> all() {
        return all;
    }

    public int size() {
        return all.size();
    }

    private static void addTo(ConcurrentHashMap<String, Set<DeviceSession>> index, String key,
                              DeviceSession session) {
        // Inside compute, so a concurrent removeFrom cannot drop the set between creating and filling it.
        index.compute(key, (k, sessions) -> {
            Set<DeviceSession> target = sessions == null ? ConcurrentHashMap.newKeySet() : sessions;
            target.add(session);
            return target;
        });
    }

    private static void removeFrom(ConcurrentHashMap<String, Set<DeviceSession>> index, String key,
                                   DeviceSession session) {
        // Drop the key with its last session, atomically, so the index does not grow with every user ever seen.
        index.computeIfPresent(key, (k, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }
}
