package ai.kull.sync.events;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka topic names and which message type is published to which topic. One topic per domain keeps a
 * noisy producer (shoot progress) from delaying another domain's events; within a topic the record key
 * (see {@link Scope}) keeps each user's, org's or aggregate's events ordered.
 */
public final class Topics {

    public static final String SHOOT_PROGRESS = "sync.shoot-progress";
    public static final String CREDIT_UPDATES = "sync.credit-updates";
    public static final String PROMPT_CHANGES = "sync.prompt-changes";
    public static final String ORG_EVENTS = "sync.org-events";
    /** User-scoped events of any other team (e.g. ADMIN_SESSION_UPDATE), so they need no topic of their own. */
    public static final String USER_EVENTS = "sync.user-events";
    /** Device connected/disconnected and gateway pod heartbeats: how pods learn about each other's sessions. */
    public static final String PRESENCE = "sync.presence";

    private static final List<String> ALL =
            List.of(SHOOT_PROGRESS, CREDIT_UPDATES, PROMPT_CHANGES, ORG_EVENTS, USER_EVENTS, PRESENCE);

    private Topics() {
    }

    /** Every event topic, the set a gateway pod consumes. */
    public static List<String> all() {
        return ALL;
    }

    /** The topic this type is published to; empty for WebSocket-only types (control messages, UPDATE_PROGRESS). */
    public static Optional<String> topicFor(MessageType type) {
        return Optional.ofNullable(switch (type) {
            case SHOOT_PROGRESS -> SHOOT_PROGRESS;
            case CREDIT_UPDATE -> CREDIT_UPDATES;
            case PROMPT_CHANGE -> PROMPT_CHANGES;
            case ADMIN_SESSION_UPDATE -> USER_EVENTS;
            case DEVICE_CONNECTED, DEVICE_DISCONNECTED, POD_HEARTBEAT -> PRESENCE;
            case SYNC_STARTED, SYNC_PROGRESS, SYNC_SUCCESS, SYNC_CONFLICT, SYNC_FAILED -> ORG_EVENTS;
            case CONNECTION_ESTABLISHED, PING, PONG, ERROR, UPDATE_PROGRESS, SUBSCRIBE, UNSUBSCRIBE, SUBSCRIBED,
                    UNSUBSCRIBED, GET_PENDING, PENDING_CHECK_COMPLETE, RESYNC_REQUIRED, ACK, RECEIVED -> null;
        });
    }

    /** The types published to {@code topic}; empty for an unknown topic. */
    public static Set<MessageType> typesOn(String topic) {
        Set<MessageType> types = EnumSet.noneOf(MessageType.class);
        for (MessageType type : MessageType.values()) {
            if (topicFor(type).filter(topic::equals).isPresent()) {
                types.add(type);
            }
        }
        return types;
    }
}
