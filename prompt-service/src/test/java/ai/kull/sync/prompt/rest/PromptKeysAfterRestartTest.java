package ai.kull.sync.prompt.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.payload.PromptAction;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.events.publish.Idempotency;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.testing.PublishEndpointContract;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * prompt-service keeps no state but its seen Idempotency-Keys, and those survive a restart: a previous instance
 * got only the first of two recipients' records acknowledged before it went away; the caller's retry to the new
 * instance publishes the missing one only.
 */
@QuarkusTest
@QuarkusTestResource(value = PromptKeysAfterRestartTest.PreviousInstance.class, restrictToAnnotatedClass = true)
class PromptKeysAfterRestartTest {

    static final String KEY = "seeded-prompt-key";
    static final PromptChange REQUEST = new PromptChange("prompt_restart", PromptAction.UPDATED, List.of("u_a", "u_b"));

    public static class PreviousInstance extends RestartableKafka {
        @Override
        protected void seed(String bootstrap) {
            PromptChange toA = new PromptChange("prompt_restart", PromptAction.UPDATED, List.of("u_a"));
            publishAsPreviousInstance(bootstrap, publisher -> publisher.publishToUser("u_a",
                    Envelope.of(MessageType.PROMPT_CHANGE, toA, "u_a", null),
                    new Idempotency(KEY, EventPublishing.hash(REQUEST))).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRetryAfterRestartPublishesOnlyTheRecipientsStillMissing() {
        PublishEndpointContract.awaitReadyNow();
        Response retry = PublishEndpointContract.serviceCall().header("Idempotency-Key", KEY)
                .body("{\"promptId\":\"prompt_restart\",\"action\":\"updated\",\"userIds\":[\"u_a\",\"u_b\"]}")
                .post("/api/sync/prompt-change");
        Response again = PublishEndpointContract.serviceCall().header("Idempotency-Key", KEY)
                .body("{\"promptId\":\"prompt_restart\",\"action\":\"updated\",\"userIds\":[\"u_a\",\"u_b\"]}")
                .post("/api/sync/prompt-change");

        assertThat(retry.statusCode()).as(retry.asString()).isEqualTo(200);
        assertThat(retry.jsonPath().getBoolean("replayed")).isFalse();
        assertThat(again.jsonPath().getBoolean("replayed")).isTrue();
        assertThat(again.jsonPath().getList("eventIds")).isEqualTo(retry.jsonPath().getList("eventIds")).hasSize(2);
        List<TopicReader.Seen> records = TopicReader.withHeader(PublishEndpointContract.bootstrap(),
                Topics.PROMPT_CHANGES, EventHeaders.IDEMPOTENCY_KEY, KEY);
        assertThat(records).extracting(TopicReader.Seen::key).containsExactlyInAnyOrder("u_a", "u_b");
    }
}
