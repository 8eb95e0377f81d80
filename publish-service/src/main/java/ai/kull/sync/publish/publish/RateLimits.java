package ai.kull.sync.publish.publish;

import ai.kull.sync.publish.teams.Team;
import ai.kull.sync.service.error.ApiError;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One token bucket per team, counted in events (a batch of 100 costs 100): {@code eventsPerSecond} refill,
 * {@code burstEvents} capacity. Per pod: with N replicas a team gets up to N times its rate.
 */
@ApplicationScoped
public class RateLimits {

    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes {@code events} tokens, or refuses the whole request with 429 and the seconds until it would pass. */
    public void take(Team team, int events) {
        Bucket bucket = buckets.computeIfAbsent(team.name(), name -> new Bucket(team.eventsPerSecond(), team.burstEvents()));
        long waitNanos = bucket.take(events, System.nanoTime());
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw new ApiError(429, "RATE_LIMITED", "team '" + team.name() + "' may publish " + team.eventsPerSecond()
                    + " events per second (bursts of " + team.burstEvents() + "); retry after " + seconds + " s")
                    .with(ApiError.RETRY_AFTER_SECONDS, seconds);
        }
    }

    private static final class Bucket {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last;

        Bucket(int perSecond, int capacity) {
            this.perNano = perSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
            this.last = System.nanoTime();
        }

        /** 0 when taken, else how long until {@code count} tokens would be there. */
        synchronized long take(int count, long now) {
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
            if (tokens >= count) {
                tokens -= count;
                return 0;
            }
            return (long) Math.ceil((count - tokens) / perNano);
        }
    }
}
