package ai.kull.sync.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fan-out baseline: a bare Vert.x WebSocket server that reads the same Kafka records as a gateway pod
 * (every partition, the gateway's consumer settings) and writes each record's JSON, as it is, to the
 * sessions of the record key's user, and nothing else: no token verification (the {@code sub} claim is read,
 * not checked), no cursor computed per session (a fixed one of the gateway's length is spliced in once per
 * record so frames are as long as the gateway's), no replay window, no bounds, no metrics. What it delivers
 * per second is the practical limit of the machine for this job.
 * <p>
 * Prints {@code BARE_SERVER_READY <port>} once it listens and reads. {@code GET /heap} answers its used heap
 * after a full GC, {@code GET /sessions} the sessions open (the benchmark waits on them).
 */
final class BareServer {

    /** As long as a gateway cursor for one user slot on the default layout. */
    private static final String FIXED_CURSOR = ",\"cursor\":\"" + "0".repeat(43) + "\"}";

    private BareServer() {
    }

    static Map<String, Object> run(Flags flags) throws Exception {
        int port = flags.integer("port", 8079);
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(flags.integer("event-loops", Runtime.getRuntime().availableProcessors())));
        Map<String, Set<ServerWebSocket>> byUser = new ConcurrentHashMap<>();
        // Vert.x accepts permessage-deflate by default: only with --compression here, so the fan-out baseline is plain.
        vertx.createHttpServer(new HttpServerOptions().setPort(port)
                        .setPerMessageWebSocketCompressionSupported(flags.flag("compression")))
                .webSocketHandler(socket -> accept(socket, byUser))
                .requestHandler(request -> request.response().end(request.path().equals("/sessions")
                        ? String.valueOf(byUser.values().stream().mapToInt(Set::size).sum()) : heap()))
                .listen().toCompletionStage().toCompletableFuture().get();
        Thread consumer = new Thread(() -> consume(flags.string("bootstrap", "localhost:9092"), byUser),
                "bare-consumer");
        consumer.setDaemon(true);
        consumer.start();
        System.out.println("BARE_SERVER_READY " + port);
        Thread.currentThread().join(); // until killed
        return null;
    }

    private static void accept(ServerWebSocket socket, Map<String, Set<ServerWebSocket>> byUser) {
        String user = subject(socket.headers().get("Authorization"));
        if (user == null) {
            socket.reject(401);
            return;
        }
        byUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(socket);
        socket.closeHandler(closed -> byUser.computeIfPresent(user, (u, sockets) -> {
            sockets.remove(socket);
            return sockets.isEmpty() ? null : sockets;
        }));
        socket.writeTextMessage("{\"type\":\"CONNECTION_ESTABLISHED\",\"userId\":\"" + user + "\"}");
    }

    /** Used heap bytes after a full GC ({@code GET /heap}: the benchmark's memory per idle session). */
    private static String heap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return String.valueOf(runtime.totalMemory() - runtime.freeMemory());
    }

    /** The {@code sub} claim of a {@code Bearer} JWT, unverified. */
    static String subject(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length < 2) {
            return null;
        }
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        int at = claims.indexOf("\"sub\":\"");
        return at < 0 ? null : claims.substring(at + 7, claims.indexOf('"', at + 7));
    }

    private static void consume(String bootstrap, Map<String, Set<ServerWebSocket>> byUser) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bare-server");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BareConsumer.MAX_POLL_RECORDS);
        try (KafkaConsumer<String, byte[]> kafka =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = BareConsumer.partitionsOf(kafka);
            kafka.assign(partitions);
            kafka.seekToEnd(partitions);
            while (true) {
                for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(100))) {
                    Set<ServerWebSocket> sockets = record.key() == null ? null : byUser.get(record.key());
                    if (sockets == null || record.value() == null) {
                        continue;
                    }
                    String json = new String(record.value(), StandardCharsets.UTF_8);
                    String frame = json.substring(0, json.lastIndexOf('}')) + FIXED_CURSOR;
                    for (ServerWebSocket socket : sockets) {
                        socket.writeTextMessage(frame);
                    }
                }
            }
        }
    }
}
