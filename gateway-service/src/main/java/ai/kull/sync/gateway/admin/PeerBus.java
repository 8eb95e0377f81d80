package ai.kull.sync.gateway.admin;

import ai.kull.sync.events.consume.CatchUpReader;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import ai.kull.sync.gateway.messaging.PeerRequests;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How pods ask each other an admin question: a request record on the gateway-internal topic
 * {@code gateway.admin.topic}, which every pod reads from its end (no group, all partitions), answered by each
 * asked pod with a reply record addressed to the asking pod. The asker waits at most
 * {@code gateway.admin.peer-timeout}; pods that did not answer by then make the answer partial. Over Kafka
 * rather than pod-to-pod HTTP, so pods need no address of each other (and no address appears anywhere).
 * <p>
 * Admin requests and replies carry ids, counts and times only, never a payload or a token. The one exception is
 * the {@link PeerRequests.Op} a transport adds: a client frame POSTed to another pod for an SSE session this pod
 * holds (its user and device checked by the POST's pod from the token; the token itself never travels).
 */
@ApplicationScoped
public class PeerBus implements PeerRequests {

    private static final Logger LOG = Logger.getLogger(PeerBus.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String REQUEST = "request";
    private static final String REPLY = "reply";

    /** One record on the bus; {@code to} null asks every pod. */
    record Message(String kind, String id, String from, String to, String op, Map<String, String> args, JsonNode body) {
    }

    /** The answers to one question, by pod, and which pods were asked. */
    public record Answers(List<String> asked, Map<String, JsonNode> byPod) {
        public boolean partial() {
            return byPod.size() < asked.size();
        }

        public List<String> answered() {
            return List.copyOf(byPod.keySet());
        }
    }

    private final GatewayProducer producer;
    private final ObjectMapper json;
    private final Map<String, Object> kafkaConfig;
    private final GatewayConfig config;
    private final String self;
    private final Duration timeout;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final LocalAdmin local;
    private final Instance<PeerRequests.Op> opBeans;
    private final Map<String, PeerRequests.Op> ops = new ConcurrentHashMap<>();
    private volatile boolean listening;
    private CatchUpReader reader;

    private record Pending(Set<String> expected, Map<String, JsonNode> answers, CompletableFuture<Void> done) {
    }

    public PeerBus(GatewayProducer producer, ObjectMapper json,
                   @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, GatewayConfig config, PodId podId,
                   LocalAdmin local, Instance<PeerRequests.Op> ops) {
        this.local = local;
        this.opBeans = ops;
        this.producer = producer;
        this.json = json;
        this.kafkaConfig = kafkaConfig;
        this.config = config;
        this.self = podId.value();
        this.timeout = config.admin().peerTimeout();
    }

    void start(@Observes StartupEvent event) {
        opBeans.forEach(op -> ops.put(op.name(), op));
        CatchUpReader.Builder builder = CatchUpReader.builder(kafkaConfig, List.of(config.admin().topic()))
                .threadName("sync-admin-bus")
                .clientId("gateway-admin-" + self)
                .pollTimeout(POLL);
        if (config.kafka().createTopics()) {
            // One partition: a few requests a second at most, and every pod reads them all anyway.
            builder.createMissingTopics(1, config.kafka().topicReplication());
        }
        reader = builder.build(new CatchUpReader.Handler() {
            @Override
            public void onStart(CatchUpReader.Start start) {
                start.seekToEnd(start.partitions()); // requests from before this pod started are not its own
            }

            @Override
            public void onCaughtUp() {
                listening = true; // at the end: a request sent from now on is seen
            }

            @Override
            public void onRecord(ConsumerRecord<String, byte[]> record) {
                receive(record.value());
            }

            @Override
            public void onFailure(RuntimeException failure, Duration restartIn) {
                listening = false;
                LOG.warnf("admin bus failed (%s); restarting in %s", failure.toString(), restartIn);
            }
        }).start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (reader != null) {
            reader.close();
        }
    }

    /**
     * Asks {@code pods} (this pod among them is answered in place, without Kafka) and waits for their answers up
     * to the peer timeout.
     *
     * @param to one pod to ask, or null to ask every pod of {@code pods}
     */
    public Answers ask(String op, Map<String, String> args, Collection<String> pods, String to) throws InterruptedException {
        List<String> asked = pods.stream().distinct().sorted().toList();
        Map<String, JsonNode> answers = new ConcurrentHashMap<>();
        if (asked.contains(self)) {
            answers.put(self, json.valueToTree(local.answer(op, args)));
        }
        Set<String> others = ConcurrentHashMap.newKeySet();
        asked.stream().filter(pod -> !pod.equals(self)).forEach(others::add);
        if (!others.isEmpty() && listening) {
            String id = UUID.randomUUID().toString();
            Pending wait = new Pending(others, answers, new CompletableFuture<>());
            pending.put(id, wait);
            try {
                send(new Message(REQUEST, id, self, to, op, args, null));
                wait.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException late) {
                LOG.debugf("admin %s: %s of %s answered in time", op, answers.keySet(), asked);
            } finally {
                pending.remove(id);
            }
        }
        return new Answers(asked, new TreeMap<>(answers));
    }

    @Override
    public Optional<JsonNode> ask(String pod, String op, Map<String, String> args) throws InterruptedException {
        return Optional.ofNullable(ask(op, args, List.of(pod), pod).byPod().get(pod));
    }

    private void receive(byte[] value) {
        Message message;
        try {
            message = json.readValue(value, Message.class);
        } catch (IOException unreadable) {
            LOG.debugf("unreadable admin bus record ignored: %s", unreadable.getMessage());
            return;
        }
        if (message.from() == null || message.from().equals(self)) {
            return;
        }
        if (REPLY.equals(message.kind()) && self.equals(message.to())) {
            Pending wait = pending.get(message.id());
            if (wait != null && wait.expected().contains(message.from())) {
                wait.answers().put(message.from(), message.body());
                wait.expected().remove(message.from());
                if (wait.expected().isEmpty()) {
                    wait.done().complete(null);
                }
            }
        } else if (REQUEST.equals(message.kind()) && (message.to() == null || self.equals(message.to()))) {
            // Answered off the bus thread: a slow answer (a window scan) must not hold up other pods' replies.
            CompletableFuture.runAsync(() -> {
                try {
                    Map<String, String> args = message.args() == null ? Map.of() : message.args();
                    PeerRequests.Op op = ops.get(message.op());
                    Object body = op != null ? op.answer(args) : local.answer(message.op(), args);
                    send(new Message(REPLY, message.id(), self, message.from(), message.op(), null, json.valueToTree(body)));
                } catch (RuntimeException e) {
                    LOG.warnf("admin %s from %s not answered: %s", message.op(), message.from(), e.toString());
                }
            });
        }
    }

    private void send(Message message) {
        try {
            producer.publishInternal(config.admin().topic(), message.from(), json.writeValueAsBytes(message));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an admin bus message", e);
        }
    }
}
