package ai.kull.sync.gateway.admission;

import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pod's admission bounds at the HTTP upgrade (or an SSE stream's request): new connections per second for the
 * whole pod, and open connections per user.
 *
 * <p>A user's slot is reserved at the upgrade (before the session exists, so two concurrent upgrades
 * cannot both take the last slot), claimed when the session opens and released when it closes. A slot
 * whose upgrade never reaches open (the client vanished mid-handshake) is released after
 * {@value #CLAIM_TIMEOUT_MILLIS} ms.
 */
@ApplicationScoped
public class AdmissionControl {

    /** Far longer than an upgrade takes from the check to the open callback (milliseconds). */
    private static final long CLAIM_TIMEOUT_MILLIS = 10_000;

    private final TokenBucket newConnections;
    private final int maxPerUser;
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final GatewayMetrics metrics;
    private final Vertx vertx;

    public AdmissionControl(GatewayConfig config, GatewayMetrics metrics, Vertx vertx) {
        double perSecond = config.admission().maxNewPerSecond();
        this.newConnections = new TokenBucket(perSecond, Math.max(1, perSecond), System.nanoTime());
        this.maxPerUser = config.session().maxPerUser();
        this.metrics = metrics;
        this.vertx = vertx;
    }

    /** @return false when the pod already admitted its share of new connections this second */
    public boolean admitNew() {
        if (newConnections.tryTake(System.nanoTime())) {
            return true;
        }
        metrics.admissionRefused("new-connection-rate");
        return false;
    }

    /** @return true when the pod's new-connection budget is whole again (no burst spent part of it lately) */
    public boolean newConnectionBudgetFull() {
        return newConnections.isFull(System.nanoTime());
    }

    /** Reserves one of the user's connection slots for this upgrade; null when all are taken. */
    public Slot reserve(String userId) {
        boolean[] reserved = {false};
        perUser.compute(userId, (user, open) -> {
            int count = open == null ? 0 : open;
            if (count >= maxPerUser) {
                return open;
            }
            reserved[0] = true;
            return count + 1;
        });
        if (!reserved[0]) {
            metrics.admissionRefused("connections-per-user");
            return null;
        }
        Slot slot = new Slot(userId);
        vertx.setTimer(CLAIM_TIMEOUT_MILLIS, timer -> {
            if (slot.state.compareAndSet(Slot.RESERVED, Slot.RELEASED)) {
                decrement(userId);
            }
        });
        return slot;
    }

    /** The session opened: its slot is held until {@link #release}. */
    public void claim(Slot slot) {
        if (slot != null && !slot.state.compareAndSet(Slot.RESERVED, Slot.CLAIMED)) {
            // The handshake outlived the claim timeout and the slot was given back: count the session again.
            perUser.merge(slot.userId, 1, Integer::sum);
            slot.state.set(Slot.CLAIMED);
        }
    }

    /** The connection closed (or never became a session): its slot is free. Safe to call more than once. */
    public void release(Slot slot) {
        if (slot != null && slot.state.getAndSet(Slot.RELEASED) != Slot.RELEASED) {
            decrement(slot.userId);
        }
    }

    private void decrement(String userId) {
        perUser.computeIfPresent(userId, (user, open) -> open <= 1 ? null : open - 1);
    }

    /** One reserved connection slot of a user. */
    public static final class Slot {
        static final int RESERVED = 0;
        static final int CLAIMED = 1;
        static final int RELEASED = 2;

        final String userId;
        final AtomicInteger state = new AtomicInteger(RESERVED);

        Slot(String userId) {
            this.userId = userId;
        }
    }
}
