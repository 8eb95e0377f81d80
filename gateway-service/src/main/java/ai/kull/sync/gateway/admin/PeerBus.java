package ai.kull.sync.gateway.admin;

import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import ai.kull.sync.gateway.messaging.GrouplessConsumers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * Requests and replies carry ids, counts and times only, never a payload or a token.
 */
@ApplicationScoped
public class PeerBus {

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
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean listening;
    private Thread thread;

    private record Pending(Set<String> expected, Map<String, JsonNode> answers, CompletableFuture<Void> done) {
    }

    public PeerBus(GatewayProducer producer, ObjectMapper json,
                   @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, GatewayConfig config, PodId podId,
                   LocalAdmin local) {
        this.local = local;
        this.producer = producer;
        this.json = json;
        this.kafkaConfig = kafkaConfig;
        this.config = config;
        this.self = podId.value();
        this.timeout = config.admin().peerTimeout();
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::run, "sync-admin-bus");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            thread.join(2_000);
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

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try (KafkaConsumer<String, byte[]> kafka = GrouplessConsumers.create(kafkaConfig, "gateway-admin-" + self, Map.of())) {
                consumer = kafka;
                String topic = config.admin().topic();
                createTopicIfMissing(topic);
                List<TopicPartition> partitions = GrouplessConsumers.partitionsOf(kafka, List.of(topic));
                kafka.assign(partitions);
                kafka.seekToEnd(partitions);
                partitions.forEach(kafka::position); // resolve the end now: a request sent after this is seen
                listening = true;
                while (true) {
                    for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL)) {
                        receive(record.value());
                    }
                }
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                listening = false;
                LOG.warnf("admin bus failed (%s); restarting in 1s", e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
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
                    Object body = local.answer(message.op(), message.args() == null ? Map.of() : message.args());
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

    private void createTopicIfMissing(String topic) {
        if (config.kafka().createTopics()) {
            try (Admin admin = Admin.create(kafkaConfig)) {
                // One partition: a few requests a second at most, and every pod reads them all anyway.
                GrouplessConsumers.createMissing(admin, List.of(new NewTopic(topic, 1, config.kafka().topicReplication())));
            }
        }
    }
}
