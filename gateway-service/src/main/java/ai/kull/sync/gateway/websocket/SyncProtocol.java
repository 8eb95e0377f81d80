package ai.kull.sync.gateway.websocket;

import ai.kull.sync.events.ClientMessage;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.payload.Ack;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.events.payload.Payload;
import ai.kull.sync.events.payload.PendingRequest;
import ai.kull.sync.events.payload.Pong;
import ai.kull.sync.events.payload.Received;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.Subscription;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.gateway.acks.AckStore;
import ai.kull.sync.gateway.acks.AckWriter;
import ai.kull.sync.gateway.acks.AckedCursor;
import ai.kull.sync.gateway.acks.MessageIds;
import ai.kull.sync.gateway.admission.AdmissionControl;
import ai.kull.sync.gateway.admission.InboundLimiter;
import ai.kull.sync.gateway.admission.InboundRateLimit;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.presence.PresenceTracker;
import ai.kull.sync.gateway.routing.EventRouter;
import ai.kull.sync.gateway.session.ClosedSessions;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.Frames;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.gateway.session.SessionSender;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The WebSocket protocol, shared by every endpoint path: what happens on open, on each client frame
 * and on close. Answers are returned as encoded frames; bad frames get an ERROR and the session stays.
 */
@ApplicationScoped
public class SyncProtocol {

    private static final Logger LOG = Logger.getLogger(SyncProtocol.class);
    private static final UserData.TypedKey<DeviceSession> SESSION = new UserData.TypedKey<>("sync.session");
    /** Policy violation: the upgrade check did not run or did not authenticate. */
    private static final CloseReason UNAUTHENTICATED = new CloseReason(1008, "unauthenticated");
    /** The upgrade's cursor that asks to resume from this device's acknowledged cursor. */
    public static final String ACKED_CURSOR = "acked";
    /** RESYNC_REQUIRED's reason for {@value #ACKED_CURSOR} when the device has no acknowledged cursor. */
    public static final String NO_ACKED_CURSOR = "no acknowledged cursor for this device";

    private final SessionRegistry sessions;
    private final EventPublisher publisher;
    private final SessionSender sender;
    private final EventCodec codec = new EventCodec();
    private final EventRouter router;
    private final Frames frames;
    private final GatewayMetrics metrics;
    private final PresenceTracker presence;
    private final AdmissionControl admission;
    private final InboundRateLimit inboundRate;
    private final ClosedSessions closed;
    private final AckStore ackStore;
    private final AckWriter ackWriter;
    private final MessageIds messageIds;

    public SyncProtocol(SessionRegistry sessions, EventPublisher publisher, SessionSender sender,
                        EventRouter router, Frames frames, GatewayMetrics metrics, PresenceTracker presence,
                        AdmissionControl admission, InboundRateLimit inboundRate, ClosedSessions closed,
                        AckStore ackStore, AckWriter ackWriter, MessageIds messageIds) {
        this.ackStore = ackStore;
        this.ackWriter = ackWriter;
        this.messageIds = messageIds;
        this.closed = closed;
        this.sessions = sessions;
        this.publisher = publisher;
        this.sender = sender;
        this.router = router;
        this.frames = frames;
        this.metrics = metrics;
        this.presence = presence;
        this.admission = admission;
        this.inboundRate = inboundRate;
    }

    /**
     * Attaches the session to the router, which writes CONNECTION_ESTABLISHED and, for a device resuming
     * with a cursor, what it missed; then tells the user's other devices. A refusal=close client whose upgrade
     * was refused is closed at once with the refusal's code, and nothing else happens: no session, no slot, no
     * announcement (the refusal was counted by the upgrade check).
     */
    public void open(WebSocketConnection connection) {
        UpgradeGate.Refusal refusal = connection.userData().get(UpgradeGate.REFUSAL);
        if (refusal != null) {
            connection.close(new CloseReason(refusal.closeCode(), refusal.reason()))
                    .subscribe().with(ok -> { }, failure -> { });
            return;
        }
        // Read once and dropped: the session holds them from here on.
        DeviceIdentity identity = connection.userData().remove(UpgradeGate.IDENTITY);
        String cursor = connection.userData().remove(UpgradeGate.CURSOR);
        MultiMap upgradeHeaders = connection.userData().remove(UpgradeGate.UPGRADE_HEADERS);
        if (upgradeHeaders != null) {
            upgradeHeaders.clear();
        }
        if (identity == null) {
            connection.close(UNAUTHENTICATED).subscribe().with(ok -> { }, failure -> { });
            return;
        }
        admission.claim(connection);
        inboundRate.attach(connection);
        DeviceSession session = new DeviceSession(connection, identity, System.currentTimeMillis());
        connection.userData().put(SESSION, session);
        // The org of an org path was authorized by the upgrade check.
        if (ACKED_CURSOR.equals(cursor)) {
            // Only the token's own user and device: a device can never name another's acknowledged cursor.
            AckedCursor acked = ackStore.lookUp(identity.userId(), identity.deviceId()).orElse(null);
            metrics.ackLookup(acked != null);
            router.attach(session, connection.pathParam("orgId"), acked == null ? null : acked.cursor(),
                    acked == null ? NO_ACKED_CURSOR : null);
        } else {
            router.attach(session, connection.pathParam("orgId"), cursor);
        }
        presence.announceConnected(session);
    }

    /** @return the answer frame, or null when the message needs none */
    public String receive(WebSocketConnection connection, String text) {
        DeviceSession session = connection.userData().get(SESSION);
        if (session == null) {
            return null;
        }
        session.frameIn(System.currentTimeMillis());
        String limited = rateLimited(session);
        if (limited != null) {
            return limited.isEmpty() ? null : limited;
        }
        ClientMessage message;
        try {
            message = codec.decodeClientMessage(text);
        } catch (InvalidEventException invalid) {
            return error(session, invalid.toErrorPayload());
        }
        DeviceIdentity identity = session.identity();
        Payload payload = message.payload();
        if (message.type() == MessageType.UPDATE_PROGRESS) {
            return relayProgress(session, (ShootProgress) payload, message.id());
        }
        String answer = switch (message.type()) {
            // The PONG carries the cursor, so a device that receives no events still holds a recent one.
            case PING -> frames.of(MessageType.PONG, identity, new Pong(System.currentTimeMillis()),
                    router.cursorOf(session));
            case SUBSCRIBE -> subscribe(session, (Subscription) payload);
            case UNSUBSCRIBE -> {
                sessions.unsubscribe(session, ((Subscription) payload).orgId());
                yield frames.of(MessageType.UNSUBSCRIBED, identity, payload);
            }
            case GET_PENDING -> {
                router.pending(session, ((PendingRequest) payload).cursor());
                yield null;
            }
            case ACK -> ack(session, (Ack) payload);
            default -> error(session, new ErrorPayload(ErrorPayload.UNKNOWN_TYPE,
                    "a client may not send " + message.type()));
        };
        if (message.id() == null || isError(answer)) {
            return answer;
        }
        // A message that publishes nothing is durable once processed: its answer, then RECEIVED.
        if (answer != null) {
            sender.send(session, answer);
        }
        return received(session, message.id(), false);
    }

    public void close(WebSocketConnection connection) {
        admission.release(connection);
        CloseReason reason = connection.closeReason();
        if (reason != null && reason.getCode() == CloseCodes.MESSAGE_TOO_BIG) {
            metrics.closed(CloseCodes.MESSAGE_TOO_BIG); // closed by the WebSocket layer, not through SessionSender
        }
        DeviceSession session = connection.userData().get(SESSION);
        if (session != null) {
            sessions.remove(session);
            closed.closed(session, reason == null ? null : reason.getCode(), System.currentTimeMillis());
            router.detach(session);
            ackWriter.closed(session.userId(), session.deviceId());
            presence.announceDisconnected(session);
        }
    }

    /**
     * Closes a connection whose frames the WebSocket layer could not process: 1009 when a message assembled from
     * several frames is too big, else 1011. (A single frame over the maximum never gets here: Netty's decoder
     * rejects it, and {@link FrameViolationGuard} answers 1009.)
     */
    public void failed(WebSocketConnection connection, Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("max message size")) {
            LOG.debugf("closing %s: %s", connection.id(), message);
            // Counted by close() from the connection's close reason.
            connection.close(new CloseReason(CloseCodes.MESSAGE_TOO_BIG, "message too big"))
                    .subscribe().with(ok -> { }, closeFailure -> { });
        } else {
            LOG.errorf(failure, "closing %s after an unexpected failure", connection.id());
            connection.close(CloseReason.INTERNAL_SERVER_ERROR).subscribe().with(ok -> { }, closeFailure -> { });
        }
    }

    /** A pong answers the server's ping: the path to the device still works. */
    public void pong(WebSocketConnection connection) {
        DeviceSession session = connection.userData().get(SESSION);
        if (session != null) {
            session.heardAt(System.currentTimeMillis());
        }
    }

    /** Binary frames are not part of the protocol: answered with a (text) ERROR. */
    public void rejectBinary(WebSocketConnection connection) {
        DeviceSession session = connection.userData().get(SESSION);
        if (session == null) {
            return;
        }
        String limited = rateLimited(session);
        String answer = limited != null ? limited
                : error(session, new ErrorPayload(ErrorPayload.INVALID_FIELD, "binary frames are not supported"));
        if (!answer.isEmpty()) {
            sender.send(session, answer);
        }
    }

    /**
     * Counts one client frame against the session's inbound rate.
     *
     * @return null to process the frame; a RATE_LIMITED ERROR frame to answer instead; "" when the session is
     *         being closed for sustained abuse and nothing is answered
     */
    private String rateLimited(DeviceSession session) {
        InboundLimiter.Verdict verdict = inboundRate.onFrame(session.connection());
        if (verdict != InboundLimiter.Verdict.ACCEPT) {
            session.rateLimited();
        }
        return switch (verdict) {
            case ACCEPT -> null;
            case REJECT -> error(session, new ErrorPayload(ErrorPayload.RATE_LIMITED,
                    "too many messages, frame not processed; slow down"));
            case CLOSE -> {
                sender.close(session, CloseCodes.RATE_LIMITED, "too many messages, reconnect later");
                yield "";
            }
        };
    }

    private String subscribe(DeviceSession session, Subscription subscription) {
        if (!session.identity().mayJoinOrg(subscription.orgId())) {
            return error(session, new ErrorPayload(ErrorPayload.FORBIDDEN,
                    "token does not allow organization " + subscription.orgId()));
        }
        router.subscribe(session, subscription.orgId());
        return null;
    }

    /**
     * ACK: kept as the device's acknowledged cursor (written within the flush interval) when this gateway could
     * resume from it; anything else is INVALID_FIELD and the session stays.
     */
    private String ack(DeviceSession session, Ack ack) {
        if (router.positionsOf(ack.cursor()) == null) {
            return error(session, new ErrorPayload(ErrorPayload.INVALID_FIELD,
                    "payload.cursor: not a cursor of this gateway's topic layout"));
        }
        ackWriter.ack(session.userId(), session.deviceId(), ack.cursor(), System.currentTimeMillis());
        return null;
    }

    /**
     * A device's own progress goes to the shoot-progress topic keyed by the sender's userId (never one
     * named in the frame), so its other devices and shoot-service see it; the sender itself is excluded.
     * With a client id, the event's id is derived from it and a stored id is not published again; the device
     * gets RECEIVED once the event is durable (or was already).
     */
    private String relayProgress(DeviceSession session, ShootProgress progress, String clientId) {
        DeviceIdentity identity = session.identity();
        Envelope event = Envelope.of(MessageType.SHOOT_PROGRESS, progress, identity.userId(), identity.deviceId());
        if (clientId == null) {
            publisher.publishExceptDevice(identity.userId(), identity.deviceId(), event)
                    .whenComplete((ok, failure) -> unavailable(session, null, failure));
            return null;
        }
        String eventId = MessageIds.eventId(identity.userId(), identity.deviceId(), clientId);
        Envelope identified = new Envelope(eventId, event.type(), event.data(), event.timestamp(), event.userId(),
                event.deviceId(), null);
        messageIds.once(eventId, () -> publisher.publishExceptDevice(identity.userId(), identity.deviceId(), identified))
                .whenComplete((duplicate, failure) -> {
                    if (failure == null) {
                        sender.send(session, received(session, clientId, duplicate));
                    } else {
                        unavailable(session, clientId, failure);
                    }
                });
        return null;
    }

    private void unavailable(DeviceSession session, String clientId, Throwable failure) {
        if (failure != null) {
            sender.send(session, error(session, new ErrorPayload("UNAVAILABLE", "progress not stored, retry"
                    + (clientId == null ? "" : " with id " + clientId) + ": " + failure.getMessage())));
        }
    }

    /** Whether an answer is an ERROR frame ({@link Frames#of} writes the type right after the frame's id). */
    private static boolean isError(String answer) {
        return answer != null && answer.contains("\",\"type\":\"ERROR\",");
    }

    private String received(DeviceSession session, String clientId, boolean duplicate) {
        return frames.of(MessageType.RECEIVED, session.identity(), new Received(clientId, duplicate));
    }

    private String error(DeviceSession session, ErrorPayload error) {
        metrics.clientError(error.code());
        return frames.of(MessageType.ERROR, session.identity(), error);
    }
}
