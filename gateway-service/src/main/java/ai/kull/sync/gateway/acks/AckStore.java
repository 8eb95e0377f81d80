package ai.kull.sync.gateway.acks;

import ai.kull.sync.events.consume.CatchUpReader;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every device's last acknowledged cursor, on every pod: read from the compacted acks topic
 * ({@code gateway.acks.topic}) from its beginning at start with common-events' {@link CatchUpReader} (own thread,
 * every partition, no consumer group) and kept up to date while the pod runs. An entry older than
 * {@code gateway.acks.retention} is dropped, whether read late or aged in memory. Per user, then per device, so
 * the admin API lists a user's devices without scanning everyone's.
 * <p>
 * The store is the only reader of the topic; {@link AckWriter} writes it.
 */
@Singleton
public class AckStore {

    private static final Logger LOG = Logger.getLogger(AckStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest a {@code cursor=acked} lookup waits for the store to have read what the topic holds now. */
    private static final long READ_TO_END_WAIT_MILLIS = 5_000;

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, AckedCursor>> byUser = new ConcurrentHashMap<>();
    private final long retentionMillis;
    private final GatewayConfig config;
    private final Map<String, Object> kafkaConfig;
    private final String podId;

    private volatile CatchUpReader reader;

    @Inject
    AckStore(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, PodId podId,
             GatewayMetrics metrics) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.podId = podId.value();
        this.retentionMillis = config.acks().retention().toMillis();
        metrics.ackedDevicesGauge(this, AckStore::devices);
    }

    /** Without Kafka (unit tests): records are handed to {@link #apply} directly. */
    AckStore(Duration retention) {
        this.config = null;
        this.kafkaConfig = Map.of();
        this.podId = "test";
        this.retentionMillis = retention.toMillis();
    }

    void start(@Observes StartupEvent event) {
        GatewayConfig.Kafka kafka = config.kafka();
        CatchUpReader.Builder builder = CatchUpReader.builder(kafkaConfig, List.of(config.acks().topic()))
                .threadName("sync-acks-reader")
                .clientId("gateway-acks-" + podId)
                .restartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
        if (kafka.createTopics()) {
            builder.createMissingTopics(kafka.topicPartitions(), kafka.topicReplication(), Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retentionMillis)));
        }
        reader = builder.build(new CatchUpReader.Handler() {
            @Override
            public void onStart(CatchUpReader.Start start) {
                // Read from the beginning (the reader's default): the topic is compacted, one record per device.
            }

            @Override
            public void onRecord(ConsumerRecord<String, byte[]> record) {
                apply(record.key(), record.value(), System.currentTimeMillis());
            }
        });
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        CatchUpReader current = reader;
        if (current != null) {
            current.close();
        }
    }

    /** Whether the store has read the acks topic up to the end it had when the reader (re)started. */
    public boolean isCaughtUp() {
        CatchUpReader current = reader;
        return current != null && current.isCaughtUp();
    }

    /**
     * The device's acknowledged cursor after the store has read everything the topic holds now (at most a few
     * seconds' wait), so an ACK written by another pod before this call is found. Blocks: call it off the event loop.
     */
    public Optional<AckedCursor> lookUp(String userId, String deviceId) {
        CatchUpReader current = reader;
        if (current != null) {
            CompletableFuture<Void> read = new CompletableFuture<>();
            current.whenReadToEnd(() -> read.complete(null));
            try {
                read.get(READ_TO_END_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.warnf("acks topic not read to its end within %d ms: answering from what was read", READ_TO_END_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return find(userId, deviceId, System.currentTimeMillis());
    }

    /** The device's acknowledged cursor as this pod holds it now, if within the retention. */
    public Optional<AckedCursor> find(String userId, String deviceId, long now) {
        Map<String, AckedCursor> devices = byUser.get(userId);
        AckedCursor acked = devices == null ? null : devices.get(deviceId);
        return acked == null || expired(acked, now) ? Optional.empty() : Optional.of(acked);
    }

    /** Every device of the user with an acknowledged cursor within the retention, by device id. */
    public List<AckedCursor> ofUser(String userId, long now) {
        Map<String, AckedCursor> devices = byUser.get(userId);
        return devices == null ? List.of() : devices.values().stream().filter(a -> !expired(a, now))
                .sorted(Comparator.comparing(AckedCursor::deviceId)).toList();
    }

    /**
     * One record of the topic (or one this pod just wrote): the newer ACK of a device wins, whichever pod wrote it
     * and in whatever order the records arrive; a tombstone forgets the device; an expired one is dropped.
     */
    void apply(String key, byte[] value, long now) {
        if (value == null) {
            forget(key);
            return;
        }
        AckedCursor acked;
        try {
            acked = JSON.readValue(value, AckedCursor.class);
        } catch (IOException | RuntimeException malformed) {
            LOG.debugf("skipping a malformed record %s of the acks topic", key);
            return;
        }
        if (acked.userId() == null || acked.deviceId() == null || acked.cursor() == null) {
            return;
        }
        remember(acked, now);
    }

    /** Takes an ACK this pod wrote, without waiting to read it back. */
    void remember(AckedCursor acked, long now) {
        if (expired(acked, now)) {
            return;
        }
        byUser.computeIfAbsent(acked.userId(), u -> new ConcurrentHashMap<>())
                .merge(acked.deviceId(), acked, (held, next) -> next.ackedAt() >= held.ackedAt() ? next : held);
    }

    /** Drops cursors acknowledged longer ago than the retention. */
    @Scheduled(every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dropExpired() {
        dropExpired(System.currentTimeMillis());
    }

    void dropExpired(long now) {
        byUser.values().forEach(devices -> devices.values().removeIf(acked -> expired(acked, now)));
        byUser.values().removeIf(Map::isEmpty);
    }

    int devices() {
        return byUser.values().stream().mapToInt(Map::size).sum();
    }

    static byte[] encode(AckedCursor acked) {
        try {
            return JSON.writeValueAsBytes(acked);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void forget(String key) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash > 0) {
            Map<String, AckedCursor> devices = byUser.get(key.substring(0, slash));
            if (devices != null) {
                devices.remove(key.substring(slash + 1));
            }
        }
    }

    private boolean expired(AckedCursor acked, long now) {
        return acked.ackedAt() < now - retentionMillis;
    }
}
