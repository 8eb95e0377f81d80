package ai.kull.sync.shoot.service;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.service.state.StateProjection;
import ai.kull.sync.shoot.config.ShootConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The latest progress of every shoot, from {@code sync.shoot-progress}: what this service published and what
 * devices reported (UPDATE_PROGRESS, relayed by the gateway as SHOOT_PROGRESS with the sender as userId).
 * A shoot belongs to the first user that reported it; reports about it from another user are ignored, so no
 * device can overwrite someone else's shoot. An older report (earlier timestamp) never replaces a newer one.
 */
@ApplicationScoped
public class ShootTracker implements StateProjection {

    /** Sweep finished shoots past their retention every this many applied events. */
    private static final int SWEEP_EVERY = 1000;

    /** One shoot's latest report. */
    public record Tracked(String userId, ShootProgress progress, long updatedAt, String eventId, String deviceId) {
        boolean isFinished() {
            return progress.status() == ShootStatus.COMPLETED || progress.status() == ShootStatus.FAILED;
        }
    }

    private final ConcurrentHashMap<String, Tracked> shoots = new ConcurrentHashMap<>();
    private final ShootConfig config;
    private final Clock clock;
    private final Counter foreign;
    private final AtomicInteger sinceSweep = new AtomicInteger();

    public ShootTracker(ShootConfig config, MeterRegistry meters) {
        this.config = config;
        this.clock = Clock.systemUTC();
        this.foreign = meters.counter("shoot.progress.ignored", "reason", "other-users-shoot");
    }

    public Optional<Tracked> shoot(String shootId) {
        return Optional.ofNullable(shoots.get(shootId));
    }

    /** The owner of a shoot, if it is known. */
    public Optional<String> ownerOf(String shootId) {
        return shoot(shootId).map(Tracked::userId);
    }

    /** The user's shoots in progress, plus finished ones for the grace period; most recently updated first. */
    public List<Tracked> activeFor(String userId) {
        long finishedAfter = clock.millis() - config.activeGrace().toMillis();
        return shoots.values().stream()
                .filter(t -> t.userId().equals(userId))
                .filter(t -> !t.isFinished() || t.updatedAt() >= finishedAfter)
                .sorted(Comparator.comparingLong(Tracked::updatedAt).reversed())
                .toList();
    }

    @Override
    public void apply(String recordKey, Envelope event) {
        if (!(event.data() instanceof ShootProgress progress) || event.userId() == null) {
            return;
        }
        Tracked reported = new Tracked(event.userId(), progress, event.timestamp(), event.id(), event.deviceId());
        shoots.compute(progress.shootId(), (shootId, current) -> {
            if (current == null) {
                return reported;
            }
            if (!current.userId().equals(reported.userId())) {
                foreign.increment();
                return current;
            }
            return reported.updatedAt() >= current.updatedAt() ? reported : current;
        });
        if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) {
            sinceSweep.set(0);
            long keepAfter = clock.millis() - config.retention().toMillis();
            shoots.values().removeIf(t -> t.isFinished() && t.updatedAt() < keepAfter);
        }
    }
}
