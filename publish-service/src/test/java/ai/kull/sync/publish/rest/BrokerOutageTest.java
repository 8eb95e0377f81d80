package ai.kull.sync.publish.rest;

import ai.kull.sync.service.testing.PublishEndpointContract;
import org.junit.jupiter.api.BeforeEach;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static ai.kull.sync.publish.rest.PublishEndpointTest.event;
import static ai.kull.sync.publish.rest.PublishEndpointTest.post;
import static ai.kull.sync.publish.rest.PublishEndpointTest.unique;
import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker goes away under the running service: a batch is answered 503 with Retry-After and each event's state
 * (none durable), never 200; once the broker is back, the same request with the same keys publishes every event
 * exactly once.
 */
@QuarkusTest
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class BrokerOutageTest {

    /** The first request waits until the service has rebuilt its idempotency keys from the topics (503 before). */
    @BeforeEach
    void awaitReady() {
        PublishEndpointContract.awaitReadyNow();
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aBatchDuringAnOutageIsRefusedWith503AndItsRetryPublishesEachEventOnce() {
        String user = unique("outage");
        String batch = IntStream.range(0, 10)
                .mapToObj(i -> event("NOTIFICATION_SEEN", "{\"userId\":\"" + user + "\"}", "{\"n\":" + i + "}", user + "-" + i))
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        assertThat(post(PublishEndpointTest.NOTIFICATIONS, "/api/sync/events/batch", batch).statusCode()).isEqualTo(200);
        String second = batch.replace(user + "-", user + "-b");

        RestartableKafka.stopBroker();
        Response refused;
        try {
            refused = post(PublishEndpointTest.NOTIFICATIONS, "/api/sync/events/batch", second);
        } finally {
            RestartableKafka.startBroker();
        }

        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(refused.asString()).doesNotContain("Exception:");
        List<Map<String, Object>> states = refused.jsonPath().getList("events");
        if (states != null) { // a refusal before sending (state not readable) names no events
            assertThat(states).hasSize(10);
        }
        await("the retry is accepted once the broker is back").until(() ->
                post(PublishEndpointTest.NOTIFICATIONS, "/api/sync/events/batch", second).statusCode() == 200);
        List<TopicReader.Seen> records = TopicReader.matching(bootstrap, Topics.USER_EVENTS, r -> user.equals(r.key()));
        assertThat(records.stream().map(r -> r.header(EventHeaders.IDEMPOTENCY_KEY)))
                .as("every event of both batches exactly once").hasSize(20).doesNotHaveDuplicates();
    }
}
