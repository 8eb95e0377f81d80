package ai.kull.sync.events;

import ai.kull.sync.events.payload.Ack;
import ai.kull.sync.events.payload.AdminAction;
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
import ai.kull.sync.events.payload.PromptAction;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.events.payload.Received;
import ai.kull.sync.events.payload.ResyncRequired;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.events.payload.Subscription;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A valid example of every payload and message, for tests. */
public final class Samples {

    public static final String USER = "user_123";
    public static final String DEVICE = "iphone_456";
    public static final String ORG = "org-rio";

    private Samples() {
    }

    public static ShootProgress shootProgress() {
        return new ShootProgress("shoot_456", ShootStatus.PROCESSING, 15, 100, "IMG_0015.jpg", 120.5, "Replicate",
                null);
    }

    public static CreditUpdate creditUpdate() {
        return new CreditUpdate(USER, 500L, 100L, "Credit purchase");
    }

    public static PromptChange promptChange() {
        return new PromptChange("prompt_789", PromptAction.VOTED, List.of(USER, "user_456"));
    }

    /** A valid payload of the class {@code type} carries; not defined for the flat SYNC_* types. */
    public static Payload payloadFor(MessageType type) {
        return switch (type) {
            case SHOOT_PROGRESS, UPDATE_PROGRESS -> shootProgress();
            case CREDIT_UPDATE -> creditUpdate();
            case PROMPT_CHANGE -> promptChange();
            case DEVICE_CONNECTED, DEVICE_DISCONNECTED ->
                    new DeviceConnection(DEVICE, "ios", "Steve's iPhone", 1_732_788_000_000L, "gateway-0");
            case ADMIN_SESSION_UPDATE -> new AdminSessionUpdate("admin-session-1", AdminAction.STARTED,
                    "Support is viewing your account", Map.of("admin", "support@kull.ai", "minutes", 15));
            case CONNECTION_ESTABLISHED -> new ConnectionEstablished("conn-1", USER, DEVICE, "gateway-0", 30_000L,
                    true, "sync.credit-updates:3:1042", 65_536, 20.0, 40);
            case PING -> new Ping(1_732_788_000_000L);
            case PONG -> new Pong(1_732_788_000_000L);
            case ERROR -> new ErrorPayload(ErrorPayload.INVALID_FIELD, "payload.shootId: must not be blank");
            case SUBSCRIBE, UNSUBSCRIBE, SUBSCRIBED, UNSUBSCRIBED -> new Subscription(ORG);
            case GET_PENDING -> new PendingRequest("sync.credit-updates:3:1042");
            case PENDING_CHECK_COMPLETE -> new PendingCheckComplete(2, "sync.credit-updates:3:1044");
            case RESYNC_REQUIRED -> new ResyncRequired("cursor is older than the recovery window", null);
            case ACK -> new Ack("1n8ue3k~3.1z,c.0");
            case RECEIVED -> new Received("m-42", false);
            case POD_HEARTBEAT -> new PodHeartbeat("gateway-0", 1_732_780_000_000L, 5_000L, "0.1.0", false, 12,
                    340L, 81_920L, 290_000L, 0L, 1_204L);
            case SYNC_STARTED, SYNC_PROGRESS, SYNC_SUCCESS, SYNC_CONFLICT, SYNC_FAILED ->
                    throw new IllegalArgumentException(type + " is a flat organization event");
        };
    }

    public static Envelope envelope(MessageType type) {
        return Envelope.of(type, payloadFor(type), USER, DEVICE);
    }

    public static ClientMessage clientMessage(MessageType type) {
        return new ClientMessage(type, payloadFor(type));
    }

    public static OrgSyncEvent orgEvent(MessageType type) {
        return new OrgSyncEvent(type, ORG, "sync-job-123", "PFA-001", type == MessageType.SYNC_PROGRESS ? 45 : null,
                "Synced 3 of 7 records", Map.of("conflictId", "conflict-456", "retryable", true),
                Instant.parse("2025-11-28T10:00:15.250Z"));
    }
}
