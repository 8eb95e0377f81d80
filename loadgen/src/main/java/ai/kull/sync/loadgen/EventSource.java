package ai.kull.sync.loadgen;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.events.publish.EventPublisher;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where events are published: straight into Kafka, or through credit-service's HTTP API. */
interface EventSource extends AutoCloseable {

    /** Publishes CREDIT_UPDATE number {@code seq} of {@code userId}; completes when it is acknowledged. */
    CompletionStage<?> publish(String userId, long seq);

    @Override
    void close();

    /**
     * With the common-events publisher (acks=all, idempotent), as a domain service does. With {@code shootStream},
     * three of every four events are SHOOT_PROGRESS of the user's current shoot (the marker in {@code currentImage}),
     * the fourth a CREDIT_UPDATE: a shoot's progress stream with its charges, as devices receive them.
     */
    /** @param lingerMs the producer's linger.ms, or null for Kafka's default (5 ms since Kafka 4) */
    static EventSource kafka(String bootstrap, boolean shootStream, String lingerMs) {
        Properties extra = new Properties();
        extra.put("client.id", "loadgen");
        // Client settings as the services take them, KAFKA_SECURITY_PROTOCOL -> security.protocol: how the chart's
        // load-test Job passes the cluster's TLS and SASL settings.
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !name.equals("KAFKA_BOOTSTRAP_SERVERS")) {
                extra.put(name.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.'), value);
            }
        });
        if (lingerMs != null) {
            extra.put("linger.ms", lingerMs);
        }
        EventPublisher publisher = new EventPublisher(bootstrap, extra);
        return new EventSource() {
            @Override
            public CompletionStage<?> publish(String userId, long seq) {
                String marker = Marker.reason(seq, Marker.nowMicros());
                if (shootStream && seq % 4 != 0) {
                    int done = (int) (seq % 400);
                    ShootProgress progress = new ShootProgress("shoot-" + userId + "-" + seq / 400,
                            ShootStatus.PROCESSING, done, 400, marker, (400 - done) * 1.5, "replicate", null);
                    return publisher.publishToUser(userId, Envelope.of(MessageType.SHOOT_PROGRESS, progress, userId, null));
                }
                CreditUpdate update = new CreditUpdate(userId, seq, 1L, marker);
                return publisher.publishToUser(userId, Envelope.of(MessageType.CREDIT_UPDATE, update, userId, null));
            }

            @Override
            public void close() {
                publisher.close();
            }
        };
    }

    /**
     * {@code POST <creditUrl>/api/sync/credit-update} with {@code X-Api-Key}; acknowledged on a 2xx (the
     * service answers once Kafka has the event). No version: the service numbers the user's updates.
     */
    static EventSource http(Vertx vertx, String creditUrl, String apiKey, int maxInFlight) {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(maxInFlight));
        String base = creditUrl.endsWith("/") ? creditUrl.substring(0, creditUrl.length() - 1) : creditUrl;
        return new EventSource() {
            @Override
            public CompletionStage<?> publish(String userId, long seq) {
                String body = new JsonObject().put("userId", userId).put("newBalance", seq).put("change", 1)
                        .put("reason", Marker.reason(seq, Marker.nowMicros())).encode();
                RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                        .setAbsoluteURI(base + "/api/sync/credit-update")
                        .putHeader("Content-Type", "application/json").putHeader("X-Api-Key", apiKey);
                CompletableFuture<Object> acked = new CompletableFuture<>();
                client.request(request).compose(req -> req.send(body)).onComplete(response -> {
                    if (response.succeeded() && response.result().statusCode() / 100 == 2) {
                        acked.complete(null);
                    } else {
                        acked.completeExceptionally(response.failed() ? response.cause()
                                : new IllegalStateException("HTTP " + response.result().statusCode()));
                    }
                });
                return acked;
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }
}
