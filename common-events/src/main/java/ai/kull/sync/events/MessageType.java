package ai.kull.sync.events;

import ai.kull.sync.events.payload.Ack;
import ai.kull.sync.events.payload.AdminSessionUpdate;
import ai.kull.sync.events.payload.ConnectionEstablished;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.events.payload.Payload;
import ai.kull.sync.events.payload.PendingCheckComplete;
import ai.kull.sync.events.payload.PendingRequest;
import ai.kull.sync.events.payload.Ping;
import ai.kull.sync.events.payload.PodHeartbeat;
import ai.kull.sync.events.payload.Pong;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.events.payload.Received;
import ai.kull.sync.events.payload.ResyncRequired;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.Subscription;

import java.util.Optional;

import static ai.kull.sync.events.Direction.BOTH;
import static ai.kull.sync.events.Direction.CLIENT_TO_SERVER;
import static ai.kull.sync.events.Direction.INTERNAL;
import static ai.kull.sync.events.Direction.SERVER_TO_CLIENT;

/**
 * Every message name on the wire, spelled exactly as the existing web and iOS clients expect it.
 * A type with a payload class travels as an {@link Envelope} (server to client, Kafka) or a
 * {@link ClientMessage} (client to server); the organization sync types keep their flat seed shape
 * ({@link OrgSyncEvent}) and have no payload class.
 */
public enum MessageType {
    // Domain events, published to Kafka by domain services and delivered to a user's devices.
    SHOOT_PROGRESS(SERVER_TO_CLIENT, ShootProgress.class),
    CREDIT_UPDATE(SERVER_TO_CLIENT, CreditUpdate.class),
    PROMPT_CHANGE(SERVER_TO_CLIENT, PromptChange.class),
    DEVICE_CONNECTED(SERVER_TO_CLIENT, DeviceConnection.class),
    DEVICE_DISCONNECTED(SERVER_TO_CLIENT, DeviceConnection.class),
    ADMIN_SESSION_UPDATE(SERVER_TO_CLIENT, AdminSessionUpdate.class),

    // Organization sync events (flat shape).
    SYNC_STARTED(SERVER_TO_CLIENT),
    SYNC_PROGRESS(SERVER_TO_CLIENT),
    SYNC_SUCCESS(SERVER_TO_CLIENT),
    SYNC_CONFLICT(SERVER_TO_CLIENT),
    SYNC_FAILED(SERVER_TO_CLIENT),

    // WebSocket control.
    CONNECTION_ESTABLISHED(SERVER_TO_CLIENT, ConnectionEstablished.class),
    PING(BOTH, Ping.class),
    PONG(BOTH, Pong.class),
    ERROR(SERVER_TO_CLIENT, ErrorPayload.class),
    /** A device reports progress of a shoot it processes locally; the gateway republishes it as SHOOT_PROGRESS. */
    UPDATE_PROGRESS(CLIENT_TO_SERVER, ShootProgress.class),
    SUBSCRIBE(CLIENT_TO_SERVER, Subscription.class),
    UNSUBSCRIBE(CLIENT_TO_SERVER, Subscription.class),
    SUBSCRIBED(SERVER_TO_CLIENT, Subscription.class),
    UNSUBSCRIBED(SERVER_TO_CLIENT, Subscription.class),
    GET_PENDING(CLIENT_TO_SERVER, PendingRequest.class),
    PENDING_CHECK_COMPLETE(SERVER_TO_CLIENT, PendingCheckComplete.class),
    /** The device's cursor is outside the recovery window: it must refetch state from the domain services. */
    RESYNC_REQUIRED(SERVER_TO_CLIENT, ResyncRequired.class),
    /** The device has processed every event up to a cursor: the cluster keeps it as the device's acknowledged cursor. */
    ACK(CLIENT_TO_SERVER, Ack.class),
    /** Answers a client message that carried an {@code id}: it is durable (or was already: a duplicate). */
    RECEIVED(SERVER_TO_CLIENT, Received.class),

    // Between gateway pods.
    POD_HEARTBEAT(INTERNAL, PodHeartbeat.class);

    private final Direction direction;
    private final Class<? extends Payload> payloadClass;

    MessageType(Direction direction, Class<? extends Payload> payloadClass) {
        this.direction = direction;
        this.payloadClass = payloadClass;
    }

    MessageType(Direction direction) {
        this(direction, null);
    }

    public Direction direction() {
        return direction;
    }

    /** The record {@code data}/{@code payload} decodes into; empty for the flat organization sync types. */
    public Optional<Class<? extends Payload>> payloadClass() {
        return Optional.ofNullable(payloadClass);
    }

    /** True for the SYNC_* types, which travel as a flat {@link OrgSyncEvent}. */
    public boolean isOrgSyncEvent() {
        return payloadClass == null;
    }

    /** Whether the gateway (or a pod, for internal types) may send this type wrapped in an {@link Envelope}. */
    public boolean allowedInEnvelope() {
        return payloadClass != null && direction != CLIENT_TO_SERVER;
    }

    /** Whether a device may send this type as a {@link ClientMessage}. */
    public boolean allowedInClientMessage() {
        return payloadClass != null && (direction == CLIENT_TO_SERVER || direction == BOTH);
    }

    /** Whether a device may ever receive this type. */
    public boolean deliveredToDevices() {
        return direction == SERVER_TO_CLIENT || direction == BOTH;
    }
}
