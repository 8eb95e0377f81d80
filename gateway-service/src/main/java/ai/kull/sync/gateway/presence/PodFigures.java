package ai.kull.sync.gateway.presence;

import ai.kull.sync.events.payload.PodHeartbeat;

/**
 * This pod's figures for its heartbeat (sessions, replay window, lag, ...). Gathered by a package above this
 * one (the admin package reads the router), so presence only sends them.
 */
public interface PodFigures {

    /** The heartbeat to send now, for pod {@code pod} started at {@code startedAt}. */
    PodHeartbeat heartbeat(String pod, long startedAt, long intervalMs);
}
