package ai.kull.sync.gateway.websocket;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.gateway.protocol.SessionGate;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gate of every WebSocket endpoint at the HTTP upgrade: asks the {@link SessionGate} (drain, admission, token,
 * path, cursor; shared with the SSE stream) and answers a refusal with its HTTP status, the reason in the
 * {@value SessionGate#REASON_HEADER} response header and Retry-After where it applies.
 *
 * <p>A client that adds {@code refusal=close} to the upgrade URL (browsers, which cannot read the status of a
 * refused upgrade) is refused differently: the upgrade is permitted with only an {@link #REFUSAL} in its user
 * data, and the endpoint's open callback closes the connection at once with 4000 + the status
 * ({@link CloseCodes#UPGRADE_UNAUTHORIZED} ...) and the Retry-After seconds in the reason. Either way the
 * refusal is counted once in {@code sync.gateway.upgrades.rejected{status}}, and no slot of the user is held.
 */
@ApplicationScoped
public class UpgradeGate implements HttpUpgradeCheck {

    /** What the gate admitted: identity, connection slot and cursor, taken (and removed) by the open callback. */
    static final UserData.TypedKey<SessionGate.Admitted> ADMITTED = new UserData.TypedKey<>("sync.admitted");
    /**
     * The upgrade request's headers, which Vert.x keeps with the WebSocket for its whole life although WebSockets
     * Next has copied them into the handshake request: the open callback empties them (about 0.9 KiB a session of
     * header-name copies and entries, issue 15).
     */
    static final UserData.TypedKey<MultiMap> UPGRADE_HEADERS = new UserData.TypedKey<>("sync.upgrade-headers");
    /** Set instead of {@link #ADMITTED} when a refusal=close client was refused: the close to answer on open. */
    static final UserData.TypedKey<Refusal> REFUSAL = new UserData.TypedKey<>("sync.refusal");

    /** A refused upgrade delivered as a close: the close code (4000 + HTTP status) and its reason. */
    record Refusal(int closeCode, String reason) {
    }

    private final SessionGate gate;
    private final FrameViolationGuard frameGuard;
    private final CompressionNegotiator compression;

    public UpgradeGate(SessionGate gate, FrameViolationGuard frameGuard, CompressionNegotiator compression) {
        this.gate = gate;
        this.frameGuard = frameGuard;
        this.compression = compression;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        SessionGate.Decision decision = gate.admit(context.httpRequest(), context.pathParam("userId"),
                context.pathParam("orgId"));
        if (decision instanceof SessionGate.Refused refused) {
            return reject(context, refused);
        }
        context.userData().put(ADMITTED, (SessionGate.Admitted) decision);
        context.userData().put(UPGRADE_HEADERS, context.httpRequest().headers());
        // In this order: the guard then sits behind the inflater and answers its failures too.
        compression.install(context.httpRequest());
        frameGuard.install(context.httpRequest());
        return CheckResult.permitUpgrade();
    }

    /**
     * Answers a refusal with the HTTP status and headers, or, for a refusal=close client, permits the upgrade
     * carrying only the {@link #REFUSAL} the open callback closes with.
     */
    private Uni<CheckResult> reject(HttpUpgradeContext context, SessionGate.Refused refused) {
        if (!CloseCodes.REFUSAL_BY_CLOSE.equals(context.httpRequest().getParam(CloseCodes.REFUSAL_PARAMETER))) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            refused.headers().forEach((name, value) -> headers.put(name, List.of(value)));
            return CheckResult.rejectUpgrade(refused.status(), headers);
        }
        context.userData().put(REFUSAL, new Refusal(CloseCodes.ofRefusedUpgrade(refused.status()),
                CloseCodes.refusalReason(refused.retryAfterSeconds(), refused.reason())));
        return CheckResult.permitUpgrade();
    }
}
