package ai.kull.sync.gateway.protocol;

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
import ai.kull.sync.gateway.session.DeviceConnection;
import ai.kull.sync.gateway.session.SessionSender;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The sync protocol, shared by every endpoint path and transport (WebSocket, SSE): what happens on open, on each
 * client frame and on close. Each client frame gets a {@link Reply}: the frames that answer it (bad frames an ERROR,
 * and the session stays) and the HTTP status an SSE client's POST is answered with.
 */
@ApplicationScoped
public class SyncProtocol {

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

    /** The answer to one client frame: the frames that answer it, in order, and its HTTP status for an SSE POST. */
    public record Reply(int status, List<String> frames) {

        static Reply of(String... frames) {
            return new Reply(200, List.of(frames));
        }
    }

    /**
     * The session of an admitted device, not attached yet: the transport registers it (so a client frame that
     * follows CONNECTION_ESTABLISHED at once finds it), then calls {@link #attach}.
     */
    public OpenSession open(DeviceConnection connection, SessionGate.Admitted admitted) {
        admission.claim(admitted.slot());
        DeviceSession session = new DeviceSession(connection, admitted.identity(), System.currentTimeMillis());
        return new OpenSession(session, inboundRate.newLimiter(), admitted.slot());
    }

    /**
     * Attaches the session to the router, which writes CONNECTION_ESTABLISHED and, for a device resuming with a
     * cursor, what it missed; then tells the user's other devices.
     *
     * @param cursor the cursor the device resumes from, or null
     * @param orgId  the organization the path names (authorized by the gate), or null
     */
    public void attach(OpenSession open, String cursor, String orgId) {
        DeviceSession session = open.session();
        DeviceIdentity identity = session.identity();
        if (ACKED_CURSOR.equals(cursor)) {
            // Only the token's own user and device: a device can never name another's acknowledged cursor.
            AckedCursor acked = ackStore.lookUp(identity.userId(), identity.deviceId()).orElse(null);
            metrics.ackLookup(acked != null);
            router.attach(session, orgId, acked == null ? null : acked.cursor(), acked == null ? NO_ACKED_CURSOR : null);
        } else {
            router.attach(session, orgId, cursor);
        }
        presence.announceConnected(session);
    }

    /**
     * One client frame. The reply completes once the message is processed, and, for UPDATE_PROGRESS, durable (or
     * refused): what a 2xx to an SSE POST promises.
     */
    public CompletionStage<Reply> receive(OpenSession open, String text) {
        DeviceSession session = open.session();
        session.frameIn(System.currentTimeMillis());
        Reply limited = rateLimited(open);
        if (limited != null) {
            return CompletableFuture.completedFuture(limited);
        }
        ClientMessage message;
        try {
            message = codec.decodeClientMessage(text);
        } catch (InvalidEventException invalid) {
            return CompletableFuture.completedFuture(error(session, invalid.toErrorPayload()));
        }
        DeviceIdentity identity = session.identity();
        Payload payload = message.payload();
        if (message.type() == MessageType.UPDATE_PROGRESS) {
            return relayProgress(session, (ShootProgress) payload, message.id());
        }
        Reply answer = switch (message.type()) {
            // The PONG carries the cursor, so a device that receives no events still holds a recent one.
            case PING -> Reply.of(frames.of(MessageType.PONG, identity, new Pong(System.currentTimeMillis()),
                    router.cursorOf(session)));
            case SUBSCRIBE -> subscribe(session, (Subscription) payload);
            case UNSUBSCRIBE -> {
                sessions.unsubscribe(session, ((Subscription) payload).orgId());
                yield Reply.of(frames.of(MessageType.UNSUBSCRIBED, identity, payload));
            }
            case GET_PENDING -> {
                router.pending(session, ((PendingRequest) payload).cursor());
                yield Reply.of();
            }
            case ACK -> ack(session, (Ack) payload);
            default -> error(session, new ErrorPayload(ErrorPayload.UNKNOWN_TYPE,
                    "a client may not send " + message.type()));
        };
        if (message.id() == null || answer.status() != 200) {
            return CompletableFuture.completedFuture(answer);
        }
        // A message that publishes nothing is durable once processed: its answer, then RECEIVED.
        String[] withReceipt = answer.frames().toArray(new String[answer.frames().size() + 1]);
        withReceipt[withReceipt.length - 1] = received(session, message.id(), false);
        return CompletableFuture.completedFuture(Reply.of(withReceipt));
    }

    /**
     * The session's connection closed, whoever closed it: its slot is free, and it leaves the registry, the
     * router and presence.
     *
     * @param code the connection's close code, or null when it ended without one
     */
    public void close(OpenSession open, Integer code) {
        admission.release(open.slot());
        DeviceSession session = open.session();
        sessions.remove(session);
        closed.closed(session, code, System.currentTimeMillis());
        router.detach(session);
        ackWriter.closed(session.userId(), session.deviceId());
        presence.announceDisconnected(session);
    }

    /** A refused session never opened: the slot it was admitted with is free. */
    public void neverOpened(SessionGate.Admitted admitted) {
        admission.release(admitted.slot());
    }

    /** A pong answers the server's ping: the path to the device still works. */
    public void pong(OpenSession open) {
        open.session().heardAt(System.currentTimeMillis());
    }

    /** A frame that is not text (binary WebSocket frames are not part of the protocol): an ERROR. */
    public Reply rejectBinary(OpenSession open) {
        Reply limited = rateLimited(open);
        return limited != null ? limited : error(open.session(),
                new ErrorPayload(ErrorPayload.INVALID_FIELD, "binary frames are not supported"));
    }

    /**
     * Counts one client frame against the session's inbound rate.
     *
     * @return null to process the frame; a RATE_LIMITED ERROR to answer instead; no frame when the session is
     *         being closed for sustained abuse
     */
    private Reply rateLimited(OpenSession open) {
        DeviceSession session = open.session();
        InboundLimiter.Verdict verdict = open.inbound().onFrame(System.nanoTime());
        if (verdict != InboundLimiter.Verdict.ACCEPT) {
            session.rateLimited();
        }
        return switch (verdict) {
            case ACCEPT -> null;
            case REJECT -> error(session, new ErrorPayload(ErrorPayload.RATE_LIMITED,
                    "too many messages, frame not processed; slow down"));
            case CLOSE -> {
                sender.close(session, CloseCodes.RATE_LIMITED, "too many messages, reconnect later");
                yield new Reply(429, List.of());
            }
        };
    }

    private Reply subscribe(DeviceSession session, Subscription subscription) {
        if (!session.identity().mayJoinOrg(subscription.orgId())) {
            return error(session, new ErrorPayload(ErrorPayload.FORBIDDEN,
                    "token does not allow organization " + subscription.orgId()));
        }
        router.subscribe(session, subscription.orgId());
        return Reply.of();
    }

    /**
     * ACK: kept as the device's acknowledged cursor (written within the flush interval) when this gateway could
     * resume from it; anything else is INVALID_FIELD and the session stays.
     */
    private Reply ack(DeviceSession session, Ack ack) {
        if (router.positionsOf(ack.cursor()) == null) {
            return error(session, new ErrorPayload(ErrorPayload.INVALID_FIELD,
                    "payload.cursor: not a cursor of this gateway's topic layout"));
        }
        ackWriter.ack(session.userId(), session.deviceId(), ack.cursor(), System.currentTimeMillis());
        return Reply.of();
    }

    /**
     * A device's own progress goes to the shoot-progress topic keyed by the sender's userId (never one
     * named in the frame), so its other devices and shoot-service see it; the sender itself is excluded.
     * With a client id, the event's id is derived from it and a stored id is not published again; the device
     * gets RECEIVED once the event is durable (or was already). Not stored: ERROR UNAVAILABLE (503).
     */
    private CompletionStage<Reply> relayProgress(DeviceSession session, ShootProgress progress, String clientId) {
        DeviceIdentity identity = session.identity();
        Envelope event = Envelope.of(MessageType.SHOOT_PROGRESS, progress, identity.userId(), identity.deviceId());
        CompletionStage<Boolean> stored;
        if (clientId == null) {
            stored = publisher.publishExceptDevice(identity.userId(), identity.deviceId(), event).thenApply(ok -> false);
        } else {
            String eventId = MessageIds.eventId(identity.userId(), identity.deviceId(), clientId);
            Envelope identified = new Envelope(eventId, event.type(), event.data(), event.timestamp(), event.userId(),
                    event.deviceId(), null);
            stored = messageIds.once(eventId,
                    () -> publisher.publishExceptDevice(identity.userId(), identity.deviceId(), identified));
        }
        return stored.handle((duplicate, failure) -> failure != null
                ? unavailable(session, clientId, failure)
                : clientId == null ? Reply.of() : Reply.of(received(session, clientId, duplicate)));
    }

    private Reply unavailable(DeviceSession session, String clientId, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return error(session, new ErrorPayload("UNAVAILABLE", "progress not stored, retry"
                + (clientId == null ? "" : " with id " + clientId) + ": " + cause.getMessage()));
    }

    private String received(DeviceSession session, String clientId, boolean duplicate) {
        return frames.of(MessageType.RECEIVED, session.identity(), new Received(clientId, duplicate));
    }

    private Reply error(DeviceSession session, ErrorPayload error) {
        metrics.clientError(error.code());
        return new Reply(statusOf(error.code()), List.of(frames.of(MessageType.ERROR, session.identity(), error)));
    }

    /** The HTTP status an SSE POST answered with this ERROR gets. */
    private static int statusOf(String errorCode) {
        return switch (errorCode) {
            case ErrorPayload.FORBIDDEN -> 403;
            case ErrorPayload.RATE_LIMITED -> 429;
            case "UNAVAILABLE" -> 503;
            default -> 400;
        };
    }
}
