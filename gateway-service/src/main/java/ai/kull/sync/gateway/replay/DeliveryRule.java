package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.SessionStream;

/**
 * Whether a session gets a record, from its key and headers only (the value is never read): the one rule behind
 * live routing, every replay (window and log) and the delivery trace's "why not".
 */
public final class DeliveryRule {

    private static final String ADMIN_ONLY_TYPE = MessageType.ADMIN_SESSION_UPDATE.name();

    /** The answer, with the reason when it is no. */
    public enum Verdict {
        DELIVER,
        /** Another user's record, or an organization's the session has not joined. */
        NOT_ADDRESSED,
        /** Meant for one device, another one. */
        TARGET_DEVICE,
        /** Sent by this very device (to its other devices). */
        ORIGIN,
        /** A type only admin sessions receive. */
        NOT_ADMIN,
        /** Below the session's resume floor: delivered before it resumed, maybe on another pod. */
        SEEN_BEFORE
    }

    private DeliveryRule() {
    }

    /** The verdict for a record routed live: {@link #replayed} plus the session's resume floor. */
    public static Verdict live(DeviceSession session, WindowEntry entry) {
        SessionStream stream = session.stream();
        if (stream != null && entry.slot() >= 0 && stream.seenBefore(entry.slot(), entry.offset())) {
            return Verdict.SEEN_BEFORE;
        }
        return replayed(session, entry);
    }

    /** The verdict for a record a replay found: a replay starts at its own cursor, so the floor does not apply. */
    public static Verdict replayed(DeviceSession session, WindowEntry entry) {
        Verdict addressed = addressed(session, entry);
        if (addressed != Verdict.DELIVER) {
            return addressed;
        }
        if (entry.targetDevice() != null && !entry.targetDevice().equals(session.deviceId())) {
            return Verdict.TARGET_DEVICE;
        }
        if (entry.originDevice() != null && entry.originDevice().equals(session.deviceId())) {
            return Verdict.ORIGIN;
        }
        if (ADMIN_ONLY_TYPE.equals(entry.type()) && !session.identity().isAdmin()) {
            return Verdict.NOT_ADMIN;
        }
        return Verdict.DELIVER;
    }

    /**
     * Whether the record is the session's user's, one of its organizations', or a broadcast. Live routing only
     * offers a record to such sessions already; a log read offers every record of a partition.
     */
    private static Verdict addressed(DeviceSession session, WindowEntry entry) {
        if (entry.key() == null) {
            return Verdict.DELIVER;
        }
        boolean mine = switch (entry.scope()) {
            case USER -> entry.key().equals(session.userId());
            case ORG -> session.subscribedOrgs().contains(entry.key());
            case BROADCAST -> true;
        };
        return mine ? Verdict.DELIVER : Verdict.NOT_ADDRESSED;
    }
}
