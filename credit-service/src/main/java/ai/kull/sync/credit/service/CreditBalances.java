package ai.kull.sync.credit.service;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.service.state.StateProjection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest balance of every user, rebuilt from {@code sync.credit-updates} and kept current by this service's
 * own acknowledged writes.
 *
 * <p>Versions: each user's balances are numbered by a positive, increasing {@code version}. The credit ledger
 * may send its own (e.g. its transaction sequence); otherwise this service gives the next one (latest + 1). An
 * update whose version is not above the latest known one is stale and refused before it is published, so
 * devices never see it; the published event carries its version so clients can ignore an older one too.
 * Events without a version (producers older than the field) count as latest + 1, in log order.
 *
 * <p>"Latest known" includes a version still waiting for Kafka's acknowledgement, so two requests never get the
 * same number. Checking and publishing are serialized per user in this process; run one credit-service
 * instance per user partition (or let the ledger assign versions) when scaling out.
 */
@ApplicationScoped
public class CreditBalances implements StateProjection {

    /** A user's balance as of its version; {@code eventId} and {@code updatedAt} are null before the first update. */
    public record Balance(String userId, long balance, long version, String eventId, Long updatedAt) {

        /**
         * A user with no CREDIT_UPDATE yet has 0 credits, at version 0: versions start at 1, so the first update
         * (a sign-up grant is one, published by the ledger) wins on every client. No configured starting balance:
         * the ledger is the one source of balances.
         */
        static Balance starting(String userId) {
            return new Balance(userId, 0, 0, null, null);
        }
    }

    private final ConcurrentHashMap<String, Balance> latest = new ConcurrentHashMap<>();
    /** Versions handed to publishes not acknowledged yet, per user. */
    private final ConcurrentHashMap<String, Long> inFlight = new ConcurrentHashMap<>();

    /** The user's latest balance, or the {@linkplain Balance#starting starting one} of a user with no update yet. */
    public Balance balanceOf(String userId) {
        Balance known = latest.get(userId);
        return known != null ? known : Balance.starting(userId);
    }

    /** The highest version known for the user, acknowledged or in flight; 0 for a new user. */
    public long highestVersion(String userId) {
        long acknowledged = balanceOf(userId).version();
        return Math.max(acknowledged, inFlight.getOrDefault(userId, 0L));
    }

    /** Holds {@code version} for a publish in flight. */
    public void reserve(String userId, long version) {
        inFlight.merge(userId, version, Math::max);
    }

    /** The publish of {@code version} failed for sure: the number is free again. */
    public void release(String userId, long version) {
        inFlight.remove(userId, version);
    }

    @Override
    public void apply(String recordKey, Envelope event) {
        if (!(event.data() instanceof CreditUpdate update)) {
            return;
        }
        latest.compute(update.userId(), (userId, current) -> {
            long currentVersion = current == null ? 0 : current.version();
            long version = update.version() != null ? update.version() : currentVersion + 1;
            if (current != null && (version <= currentVersion || event.id().equals(current.eventId()))) {
                return current; // stale, or this very event seen again
            }
            return new Balance(userId, update.newBalance(), version, event.id(), event.timestamp());
        });
        if (update.version() != null) {
            inFlight.remove(update.userId(), update.version());
        }
    }
}
