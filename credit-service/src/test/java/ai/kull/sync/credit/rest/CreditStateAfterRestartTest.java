package ai.kull.sync.credit.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.events.publish.Idempotency;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.testing.PublishEndpointContract;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restart loses nothing: the topic already holds what a previous instance published (records exactly as
 * this service writes them, Idempotency-Key headers included) before this instance starts, and the new
 * instance answers reads, retries and version checks from it.
 */
@QuarkusTest
@QuarkusTestResource(value = CreditStateAfterRestartTest.PreviousInstance.class, restrictToAnnotatedClass = true)
class CreditStateAfterRestartTest {

    static final String USER = "restart_user";
    static final CreditUpdate SECOND = new CreditUpdate(USER, 250L, 150L, "Credit purchase");
    static final String SECOND_KEY = "seeded-key-2";

    public static class PreviousInstance extends RestartableKafka {
        @Override
        protected void seed(String bootstrap) {
            CreditUpdate first = new CreditUpdate(USER, 100L, 100L, "Credit purchase");
            publishAsPreviousInstance(bootstrap, publisher -> {
                publish(publisher, first, 1, "seeded-key-1");
                publish(publisher, SECOND, 2, SECOND_KEY);
            });
        }

        private static void publish(EventPublisher publisher, CreditUpdate request, long version, String key)
                throws Exception {
            Envelope event = Envelope.of(MessageType.CREDIT_UPDATE, request.withVersion(version), USER, null);
            publisher.publishToUser(USER, event, new Idempotency(key, EventPublishing.hash(request)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theBalanceSeenKeysAndVersionsAreRebuiltFromTheTopic() {
        PublishEndpointContract.awaitReadyNow();
        Response balance = PublishEndpointContract.serviceCall().get("/api/credits/" + USER + "/balance");
        assertThat(balance.statusCode()).isEqualTo(200);
        assertThat(balance.jsonPath().getLong("balance")).isEqualTo(250);
        assertThat(balance.jsonPath().getLong("version")).isEqualTo(2);
        String seededEventId = balance.jsonPath().getString("eventId");

        Response retry = PublishEndpointContract.serviceCall().header("Idempotency-Key", SECOND_KEY)
                .body("{\"userId\":\"restart_user\",\"newBalance\":250,\"change\":150,\"reason\":\"Credit purchase\"}")
                .post("/api/sync/credit-update");
        assertThat(retry.statusCode()).as(retry.asString()).isEqualTo(200);
        assertThat(retry.jsonPath().getBoolean("replayed")).isTrue();
        assertThat(retry.jsonPath().getList("eventIds")).containsExactly(seededEventId);
        assertThat(TopicReader.withHeader(PublishEndpointContract.bootstrap(), Topics.CREDIT_UPDATES, EventHeaders.IDEMPOTENCY_KEY, SECOND_KEY))
                .hasSize(1);

        Response stale = PublishEndpointContract.serviceCall()
                .body("{\"userId\":\"restart_user\",\"newBalance\":1,\"change\":1,\"reason\":\"late\",\"version\":2}")
                .post("/api/sync/credit-update");
        assertThat(stale.statusCode()).isEqualTo(409);
        Response next = PublishEndpointContract.serviceCall()
                .body("{\"userId\":\"restart_user\",\"newBalance\":240,\"change\":-10,\"reason\":\"usage\"}")
                .post("/api/sync/credit-update");
        assertThat(next.jsonPath().getLong("version")).isEqualTo(3);
    }
}
