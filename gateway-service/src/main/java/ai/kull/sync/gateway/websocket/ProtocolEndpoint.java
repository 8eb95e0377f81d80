package ai.kull.sync.gateway.websocket;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.protocol.OpenSession;
import ai.kull.sync.gateway.protocol.SessionGate;
import ai.kull.sync.gateway.protocol.SyncProtocol;
import ai.kull.sync.gateway.session.SessionSender;
import ai.kull.sync.gateway.session.WebSocketDeviceConnection;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

/**
 * The callbacks every WebSocket endpoint path shares (each path is a subclass that only names its path): the
 * {@link SyncProtocol} over a WebSocket, whose answers go back through the session's sender.
 */
public abstract class ProtocolEndpoint {

    private static final Logger LOG = Logger.getLogger(ProtocolEndpoint.class);
    private static final UserData.TypedKey<OpenSession> SESSION = new UserData.TypedKey<>("sync.session");
    /** Policy violation: the upgrade check did not run or did not authenticate. */
    private static final CloseReason UNAUTHENTICATED = new CloseReason(CloseCodes.POLICY_VIOLATION, "unauthenticated");

    private final SyncProtocol protocol;
    private final SessionSender sender;
    private final GatewayMetrics metrics;

    protected ProtocolEndpoint(SyncProtocol protocol, SessionSender sender, GatewayMetrics metrics) {
        this.protocol = protocol;
        this.sender = sender;
        this.metrics = metrics;
    }

    /**
     * Opens the session the upgrade check admitted. A refusal=close client whose upgrade was refused is closed at
     * once with the refusal's code, and nothing else happens: no session, no slot, no announcement (the refusal
     * was counted by the upgrade check).
     */
    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        UpgradeGate.Refusal refusal = connection.userData().get(UpgradeGate.REFUSAL);
        if (refusal != null) {
            connection.close(new CloseReason(refusal.closeCode(), refusal.reason())).subscribe().with(ok -> { }, failure -> { });
            return;
        }
        // Read once and dropped: the session holds them from here on.
        SessionGate.Admitted admitted = connection.userData().remove(UpgradeGate.ADMITTED);
        MultiMap upgradeHeaders = connection.userData().remove(UpgradeGate.UPGRADE_HEADERS);
        if (upgradeHeaders != null) {
            upgradeHeaders.clear();
        }
        if (admitted == null) {
            connection.close(UNAUTHENTICATED).subscribe().with(ok -> { }, failure -> { });
            return;
        }
        OpenSession open = protocol.open(new WebSocketDeviceConnection(connection), admitted);
        connection.userData().put(SESSION, open);
        // The org of an org path was authorized by the upgrade check.
        protocol.attach(open, admitted.cursor(), connection.pathParam("orgId"));
    }

    @OnTextMessage
    public void onText(WebSocketConnection connection, String frame) {
        OpenSession open = connection.userData().get(SESSION);
        if (open != null) {
            protocol.receive(open, frame).thenAccept(reply -> answer(open, reply));
        }
    }

    /** Answered through the session (a text ERROR): what an @OnBinaryMessage method returns is sent as binary. */
    @OnBinaryMessage
    public void onBinary(WebSocketConnection connection, Buffer frame) {
        OpenSession open = connection.userData().get(SESSION);
        if (open != null) {
            answer(open, protocol.rejectBinary(open));
        }
    }

    /** Runs on the event loop: pongs arrive from every session every heartbeat interval. */
    @OnPongMessage
    @NonBlocking
    public void onPong(WebSocketConnection connection, Buffer data) {
        OpenSession open = connection.userData().get(SESSION);
        if (open != null) {
            protocol.pong(open);
        }
    }

    /**
     * Vert.x reports a message over the maximum size that arrived in several frames as an
     * IllegalStateException: without this, it would be logged as an unhandled error, with a stack trace per
     * hostile client, and closed with 1011. (One frame over the maximum is rejected by Netty's frame decoder
     * before Vert.x sees a frame; {@link FrameViolationGuard} answers that one with 1009.)
     */
    @OnError
    public void onError(WebSocketConnection connection, IllegalStateException failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("max message size")) {
            LOG.debugf("closing %s: %s", connection.id(), message);
            // Counted by onClose from the connection's close reason.
            connection.close(new CloseReason(CloseCodes.MESSAGE_TOO_BIG, "message too big"))
                    .subscribe().with(ok -> { }, closeFailure -> { });
        } else {
            LOG.errorf(failure, "closing %s after an unexpected failure", connection.id());
            connection.close(CloseReason.INTERNAL_SERVER_ERROR).subscribe().with(ok -> { }, closeFailure -> { });
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        CloseReason reason = connection.closeReason();
        if (reason != null && reason.getCode() == CloseCodes.MESSAGE_TOO_BIG) {
            metrics.closed(CloseCodes.MESSAGE_TOO_BIG); // closed by the WebSocket layer, not through SessionSender
        }
        OpenSession open = connection.userData().get(SESSION);
        if (open != null) {
            protocol.close(open, reason == null ? null : reason.getCode());
        } else {
            // Refused by close, or closed between the upgrade and the open callback: the slot (if any) is free.
            SessionGate.Admitted admitted = connection.userData().remove(UpgradeGate.ADMITTED);
            if (admitted != null) {
                protocol.neverOpened(admitted);
            }
        }
    }

    private void answer(OpenSession open, SyncProtocol.Reply reply) {
        for (String frame : reply.frames()) {
            sender.send(open.session(), frame);
        }
    }
}
