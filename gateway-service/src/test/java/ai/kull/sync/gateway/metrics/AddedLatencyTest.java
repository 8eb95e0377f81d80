package ai.kull.sync.gateway.metrics;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.Metrics;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway-added latency ({@code sync_gateway_added_latency_seconds{type}}): one observation per live delivery,
 * by type, from the consumer's poll to the frame written; a part of the delivery latency from the record's
 * timestamp, which also holds the producer and the broker, for the same deliveries.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class AddedLatencyTest extends GatewayTest {

    private static final String ADDED = "sync_gateway_added_latency_seconds";
    private static final String FROM_RECORD = "sync_gateway_delivery_latency_seconds";
    private static final int CREDITS = 12;
    private static final int SHOOT_REPORTS = 5;

    @Test
    void everyLiveDeliveryIsTimedByTypeFromThePollAndWithinTheLatencyFromTheRecordTimestamp() throws Exception {
        String user = unique("added");
        try (TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice web = device("/ws", user, "web", List.of())) {
            Map<String, Double> before = figures();
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (int i = 1; i <= CREDITS; i++) {
                sent.add(publisher.publishToUser(user, credit(user, i)));
            }
            for (int i = 1; i <= SHOOT_REPORTS; i++) {
                sent.add(publisher.publishToUser(user, Envelope.of(MessageType.SHOOT_PROGRESS,
                        new ShootProgress("shoot-1", ShootStatus.PROCESSING, i, 10, "IMG_" + i + ".jpg", 1.0,
                                "Replicate", null), user, null)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            for (TestDevice device : List.of(phone, web)) {
                assertThat(device.balancesUntil(CREDITS)).hasSize(CREDITS);
            }

            // Recorded when each write completes, which may come just after the device read the frame.
            Map<String, Double> grown = await().atMost(Duration.ofSeconds(10)).until(() -> minus(figures(), before),
                    delta -> delta.get(ADDED + "_count{type=\"CREDIT_UPDATE\"}") >= 2 * CREDITS
                            && delta.get(ADDED + "_count{type=\"SHOOT_PROGRESS\"}") >= 2 * SHOOT_REPORTS);
            for (String type : List.of("CREDIT_UPDATE", "SHOOT_PROGRESS")) {
                String label = "{type=\"" + type + "\"}";
                int delivered = 2 * (type.equals("CREDIT_UPDATE") ? CREDITS : SHOOT_REPORTS);
                assertThat(grown.get(ADDED + "_count" + label)).as(type + " timed once per delivery").isEqualTo(delivered);
                assertThat(grown.get(FROM_RECORD + "_count" + label)).as(type + " the same deliveries").isEqualTo(delivered);
                double added = grown.get(ADDED + "_sum" + label);
                double fromRecord = grown.get(FROM_RECORD + "_sum" + label);
                System.out.printf("ADDED-LATENCY %s: %d deliveries, mean added %.3f ms, mean from the record %.3f ms%n",
                        type, delivered, added * 1000 / delivered, fromRecord * 1000 / delivered);
                assertThat(added).as(type + " time the gateway added").isPositive();
                assertThat(added).as(type + " a part of the latency from the record's timestamp").isLessThan(fromRecord);
            }
            String scrape = RestAssured.get("/q/metrics").asString();
            assertThat(scrape).contains(ADDED + "_bucket{type=\"CREDIT_UPDATE\",le=\"5.0E-5\"}")
                    .contains(ADDED + "_bucket{type=\"CREDIT_UPDATE\",le=\"10.0\"}")
                    .doesNotContain(user);
        }
    }

    private static Map<String, Double> figures() {
        String scrape = RestAssured.get("/q/metrics").asString();
        Map<String, Double> figures = new java.util.HashMap<>();
        for (String name : List.of(ADDED, FROM_RECORD)) {
            for (String type : List.of("CREDIT_UPDATE", "SHOOT_PROGRESS")) {
                for (String part : List.of("_count", "_sum")) {
                    String sample = name + part + "{type=\"" + type + "\"}";
                    figures.put(sample, Metrics.value(scrape, sample));
                }
            }
        }
        return figures;
    }

    private static Map<String, Double> minus(Map<String, Double> now, Map<String, Double> before) {
        Map<String, Double> delta = new java.util.HashMap<>();
        now.forEach((sample, value) -> delta.put(sample, value - before.get(sample)));
        return delta;
    }
}
