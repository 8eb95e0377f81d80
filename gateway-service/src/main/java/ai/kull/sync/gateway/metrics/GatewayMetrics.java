package ai.kull.sync.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.Consumer;

import ai.kull.sync.events.MessageType;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one place the gateway registers meters: its counters and gauges, and the Kafka consumer's own metrics.
 * Other classes report through these methods and never touch the {@link MeterRegistry}, so every meter name
 * is written here once. Counters are cached per tag value because {@link #delivered} runs for every record
 * on the consumer thread, and a registry lookup there would cost more than the routing.
 */
@Singleton
public class GatewayMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> deliveries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> drops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> closes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> resyncs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rejectedUpgrades = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> sseMessages = new ConcurrentHashMap<>();
    private final LongAdder outboundPending = new LongAdder();
    private final LongAdder deliveriesTotal = new LongAdder();
    private final Timer resumeCompletion;
    /** Per type label, made once: looked up once per routed record, recorded once per delivered frame. */
    private final Map<String, DeliveryLatency> latencies;

    /** Label of event types other teams add: the label stays bounded whatever they publish. */
    public static final String OTHER_TYPE = "other";
    /** Label of records without a type header. */
    public static final String UNKNOWN_TYPE = "unknown";
    private static final Map<String, String> KNOWN_TYPES = Arrays.stream(MessageType.values())
            .filter(MessageType::deliveredToDevices)
            .collect(Collectors.toUnmodifiableMap(MessageType::name, MessageType::name));
    /** Histogram buckets of the delivery latency and the resume completion: 0.5 ms to 10 s. */
    private static final Duration[] LATENCY_BUCKETS = Stream.of(0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0,
                    500.0, 1_000.0, 2_500.0, 5_000.0, 10_000.0)
            .map(ms -> Duration.ofNanos((long) (ms * 1_000_000))).toArray(Duration[]::new);
    /**
     * Buckets of the gateway-added latency: three more below, 0.05 to 0.25 ms, since it is mostly below the
     * delivery latency's first bucket and its goal (p99 at most 5 ms) needs the steps below it told apart.
     */
    private static final Duration[] ADDED_LATENCY_BUCKETS = Stream.concat(
                    Stream.of(0.05, 0.1, 0.25).map(ms -> Duration.ofNanos((long) (ms * 1_000_000))),
                    Arrays.stream(LATENCY_BUCKETS))
            .toArray(Duration[]::new);

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latencies = Stream.concat(KNOWN_TYPES.keySet().stream(), Stream.of(OTHER_TYPE, UNKNOWN_TYPE))
                .collect(Collectors.toUnmodifiableMap(type -> type, type -> new DeliveryLatency(
                        latencyHistogram("sync.gateway.delivery.latency", LATENCY_BUCKETS,
                                "Kafka record timestamp to the frame written to a session's socket")
                                .tag("type", type)
                                .register(registry),
                        latencyHistogram("sync.gateway.added.latency", ADDED_LATENCY_BUCKETS,
                                "The gateway's own part: the consumer's poll returning the record to the frame "
                                        + "written to a session's socket")
                                .tag("type", type)
                                .register(registry))));
        this.resumeCompletion = latencyHistogram("sync.gateway.replay.completion", LATENCY_BUCKETS,
                "A resuming session's attach to its PENDING_CHECK_COMPLETE: the replay, and the wait until this pod "
                        + "has read the log as it stood at attach")
                .register(registry);
        Gauge.builder("sync.gateway.outbound.pending.bytes", outboundPending, LongAdder::sum)
                .description("Bytes of frames handed to sessions' sockets and not yet written, all sessions")
                .baseUnit("bytes").register(registry);
    }

    private static Timer.Builder latencyHistogram(String name, Duration[] buckets, String description) {
        return Timer.builder(name).description(description)
                .serviceLevelObjectives(buckets)
                .minimumExpectedValue(buckets[0])
                .maximumExpectedValue(buckets[buckets.length - 1]);
    }

    /** The sessions open on this pod: {@code sessions} is read whenever the gauge is scraped. */
    public void sessionsGauge(Collection<?> sessions) {
        Gauge.builder("sync.gateway.sessions", sessions, Collection::size)
                .description("WebSocket sessions open on this pod").register(registry);
    }

    /** The SSE sessions open on this pod (also counted in {@code sync.gateway.sessions}). */
    public void sseSessionsGauge(Map<?, ?> streams) {
        Gauge.builder("sync.gateway.sse.sessions", streams, Map::size)
                .description("Server-Sent Events sessions open on this pod (WebSocket blocked)").register(registry);
    }

    /** A client frame POSTed to an SSE session, by the HTTP status it was answered with. */
    public void sseMessage(int status) {
        counter(sseMessages, "sync.gateway.sse.messages", "status", String.valueOf(status)).increment();
    }

    /** The replay window's size, read from {@code window} whenever the gauges are scraped. */
    public <T> void replayWindowGauges(T window, ToDoubleFunction<T> bytes, ToDoubleFunction<T> events) {
        Gauge.builder("sync.gateway.replay.window.bytes", window, bytes)
                .description("Bytes held by the replay window").register(registry);
        Gauge.builder("sync.gateway.replay.window.events", window, events)
                .description("Events held by the replay window").register(registry);
    }

    /**
     * The log reads of replays that reach below the window: records read (wanted or not), passes (each reads its
     * partitions once for every request it took), requests answered, and requests waiting for a reader or budget.
     */
    public <T> void logReplayMeters(T reader, ToDoubleFunction<T> records, ToDoubleFunction<T> passes,
                                    ToDoubleFunction<T> requests, ToDoubleFunction<T> queued) {
        FunctionCounter.builder("sync.gateway.log.replay.records.read", reader, records)
                .description("Records read from the Kafka log for replays below the replay window").register(registry);
        FunctionCounter.builder("sync.gateway.log.replay.passes", reader, passes)
                .description("Log read passes; each serves every replay request queued when it started").register(registry);
        FunctionCounter.builder("sync.gateway.log.replay.requests", reader, requests)
                .description("Replay requests answered from the Kafka log").register(registry);
        Gauge.builder("sync.gateway.log.replay.queued", reader, queued)
                .description("Replay requests waiting for a log reader or for buffer budget").register(registry);
    }

    /** A replay completed that needed the Kafka log (its cursor was older than the replay window). */
    public void replayedFromLog() {
        registry.counter("sync.gateway.replay.from.log").increment();
    }

    /** The Kafka consumer's own metrics (lag, fetch rates, ...). */
    public void bindKafkaConsumer(Consumer<?, ?> consumer) {
        new KafkaClientMetrics(consumer).bindTo(registry);
    }

    /**
     * The metric label of an event type: a type of the contract by its name, any other team's type as
     * {@value #OTHER_TYPE}, so the label's values stay bounded.
     */
    public static String typeLabel(String type) {
        return type == null ? UNKNOWN_TYPE : KNOWN_TYPES.getOrDefault(type, OTHER_TYPE);
    }

    /** The delivery-latency timers (from the record's timestamp, and the gateway-added part) for records of {@code type}. */
    public DeliveryLatency deliveryLatency(String type) {
        return latencies.get(typeLabel(type));
    }

    /** Frames handed to sessions, by event type. */
    public void delivered(String type, int sessions) {
        if (sessions > 0) {
            deliveriesTotal.add(sessions);
            counter(deliveries, "sync.gateway.deliveries", "type", typeLabel(type)).increment(sessions);
        }
    }

    /** Event frames handed to sessions since the pod started (the pod list's deliveries per second). */
    public long deliveriesTotal() {
        return deliveriesTotal.sum();
    }

    /** A record no session can receive because it is malformed (e.g. unknown scope). */
    public void undeliverable(String reason) {
        counter(drops, "sync.gateway.drops", "reason", reason).increment();
    }

    /** A frame that could not be written to a session (closed meanwhile, I/O error). */
    public void sendFailed() {
        counter(drops, "sync.gateway.drops", "reason", "send-failed").increment();
    }

    /** A frame not queued because its session was over its outbound bound (the session is closed with 4002). */
    public void slowConsumerDrop() {
        counter(drops, "sync.gateway.drops", "reason", "slow-consumer").increment();
    }

    /** Frames written to or completed on any session's socket: bytes waiting in the pod's buffers. */
    public void outboundPending(long deltaBytes) {
        outboundPending.add(deltaBytes);
    }

    /** An upgrade refused by an admission bound, by reason (new-connection-rate, connections-per-user). */
    public void admissionRefused(String reason) {
        counter(refusals, "sync.gateway.admission.refused", "reason", reason).increment();
    }

    /** An upgrade refused (HTTP status, or its close code for refusal=close clients), by HTTP status. */
    public void upgradeRejected(int status) {
        counter(rejectedUpgrades, "sync.gateway.upgrades.rejected", "status", String.valueOf(status)).increment();
    }

    /** A client frame answered with ERROR, by error code. */
    public void clientError(String code) {
        counter(errors, "sync.gateway.client.errors", "code", code).increment();
    }

    /** A session the server closed, by close code (idle, expired, drain, ...). */
    public void closed(int code) {
        counter(closes, "sync.gateway.sessions.closed", "code", String.valueOf(code)).increment();
    }

    /** A session that resumed from its cursor without loss. */
    public void resumed() {
        registry.counter("sync.gateway.replay.resumed").increment();
    }

    /**
     * A resume completed (PENDING_CHECK_COMPLETE) {@code nanos} after the session attached: its replay sent, and
     * this pod had read the log as it stood at attach.
     */
    public void resumeCompleted(long nanos) {
        resumeCompletion.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Missed events written to resuming sessions from the replay window. */
    public void replayed(int events) {
        registry.counter("sync.gateway.replay.events").increment(events);
    }

    /** A cursor that could not be replayed, so the device was told to refetch state. */
    public void resync(String reason) {
        counter(resyncs, "sync.gateway.replay.resync", "reason", reason).increment();
    }

    /** Acknowledged cursors written to the acks topic (at most one per device per flush interval). */
    public void acksWritten(int records) {
        registry.counter("sync.gateway.acks.written").increment(records);
    }

    /** An upgrade with {@code cursor=acked}: the device's acknowledged cursor was found (hit) or not (miss). */
    public void ackLookup(boolean hit) {
        registry.counter("sync.gateway.acks.lookups", "result", hit ? "hit" : "miss").increment();
    }

    /** The devices whose acknowledged cursor this pod holds, read from {@code store} whenever scraped. */
    public <T> void ackedDevicesGauge(T store, ToDoubleFunction<T> devices) {
        Gauge.builder("sync.gateway.acks.devices", store, devices)
                .description("Devices whose acknowledged cursor this pod holds").register(registry);
    }

    /** A client message whose id was already stored: answered RECEIVED duplicate, nothing applied again. */
    public void duplicateMessage() {
        registry.counter("sync.gateway.client.messages.duplicates").increment();
    }

    private Counter counter(ConcurrentHashMap<String, Counter> cache, String name, String tagKey, String tagValue) {
        return cache.computeIfAbsent(tagValue, v -> Counter.builder(name).tag(tagKey, v).register(registry));
    }
}
