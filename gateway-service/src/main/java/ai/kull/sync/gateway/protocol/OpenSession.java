package ai.kull.sync.gateway.protocol;

import ai.kull.sync.gateway.admission.AdmissionControl;
import ai.kull.sync.gateway.admission.InboundLimiter;
import ai.kull.sync.gateway.session.DeviceSession;

/**
 * A session as its transport holds it between callbacks: the session, its inbound rate limiter and the user's
 * connection slot it releases on close.
 */
public record OpenSession(DeviceSession session, InboundLimiter inbound, AdmissionControl.Slot slot) {
}
