package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Scope;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * Delivers one Kafka record to the local sessions it is meant for, deciding on key and headers only:
 * the value is never parsed, and is decoded to text once, and only when some session wants it.
 */
@ApplicationScoped
public class EventRouter {

    private static final String ADMIN_ONLY_TYPE = MessageType.ADMIN_SESSION_UPDATE.name();

    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final GatewayMetrics metrics;

    public EventRouter(SessionRegistry sessions, SessionSender sender, GatewayMetrics metrics) {
        this.sessions = sessions;
        this.sender = sender;
        this.metrics = metrics;
    }

    public void route(ConsumerRecord<String, byte[]> record) {
        Headers headers = record.headers();
        Collection<DeviceSession> candidates = candidates(record.key(), headers);
        if (candidates.isEmpty()) {
            return;
        }
        String type = EventHeaders.read(headers, EventHeaders.EVENT_TYPE);
        String targetDevice = EventHeaders.read(headers, EventHeaders.TARGET_DEVICE);
        String originDevice = EventHeaders.read(headers, EventHeaders.ORIGIN_DEVICE);
        boolean adminOnly = ADMIN_ONLY_TYPE.equals(type);
        String text = null;
        int delivered = 0;
        for (DeviceSession session : candidates) {
            if ((targetDevice != null && !targetDevice.equals(session.deviceId()))
                    || (originDevice != null && originDevice.equals(session.deviceId()))
                    || (adminOnly && !session.identity().isAdmin())) {
                continue;
            }
            if (text == null) {
                text = new String(record.value(), StandardCharsets.UTF_8);
            }
            sender.send(session, text);
            delivered++;
        }
        metrics.delivered(type, delivered);
    }

    private Collection<DeviceSession> candidates(String key, Headers headers) {
        Scope scope;
        try {
            scope = Scope.fromHeader(EventHeaders.read(headers, EventHeaders.SCOPE));
        } catch (IllegalArgumentException unknownScope) {
            metrics.undeliverable("unknown-scope");
            return List.of();
        }
        return switch (scope) {
            case USER -> sessions.forUser(key);
            case ORG -> sessions.forOrg(key);
            case BROADCAST -> sessions.all();
            case POD -> List.of();
        };
    }
}
