package ai.kull.sync.service.idempotency;

import ai.kull.sync.events.Envelope;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Idempotency-Keys this service has published for, each with the hash of its request and the events it
 * produced. Filled from the publisher's acknowledgements and, on start, from the topic's record headers,
 * so it survives restarts. Bounded: at most {@code maxKeys}, each kept for {@code ttl}; the oldest go first.
 */
public final class IdempotencyStore {

    /**
     * One published event of a key: its record key (the recipient), its event id and the envelope; the envelope is
     * null for another team's event type (the publish service), which is answered by its id only.
     */
    public record Published(String recordKey, String eventId, Envelope envelope) {
        public Published(String recordKey, Envelope envelope) {
            this(recordKey, envelope.id(), envelope);
        }
    }

    /** What a key produced so far; more than one event when a request fans out to several recipients. */
    public record Entry(String requestHash, long firstSeenMillis, List<Published> events) {
    }

    private final int maxKeys;
    private final long ttlMillis;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    public IdempotencyStore(int maxKeys, Duration ttl, Clock clock) {
        this.maxKeys = maxKeys;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    public synchronized Optional<Entry> find(String key) {
        Entry entry = entries.get(key);
        if (entry != null && isExpired(entry)) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.ofNullable(entry);
    }

    /**
     * Records that {@code envelope} was published for {@code key}; the same event seen again (the live ack,
     * then the topic) is kept once. An entry older than the TTL is not (re)created.
     */
    public void record(String key, String requestHash, String recordKey, Envelope envelope, long publishedAtMillis) {
        record(key, requestHash, new Published(recordKey, envelope), publishedAtMillis);
    }

    /** {@link #record(String, String, String, Envelope, long)} for any published event, also one without an envelope. */
    public synchronized void record(String key, String requestHash, Published published, long publishedAtMillis) {
        Entry entry = entries.get(key);
        if (entry == null || isExpired(entry)) {
            entry = new Entry(requestHash, publishedAtMillis, List.of());
            if (isExpired(entry)) {
                return;
            }
        }
        if (entry.events().stream().anyMatch(p -> p.eventId().equals(published.eventId()))) {
            return;
        }
        List<Published> events = new ArrayList<>(entry.events());
        events.add(published);
        entries.put(key, new Entry(entry.requestHash(), entry.firstSeenMillis(), List.copyOf(events)));
        evict();
    }

    public synchronized int size() {
        return entries.size();
    }

    private void evict() {
        Iterator<Map.Entry<String, Entry>> oldestFirst = entries.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Entry oldest = oldestFirst.next().getValue();
            if (entries.size() <= maxKeys && !isExpired(oldest)) {
                return;
            }
            oldestFirst.remove();
        }
    }

    private boolean isExpired(Entry entry) {
        return clock.millis() - entry.firstSeenMillis() > ttlMillis;
    }
}
