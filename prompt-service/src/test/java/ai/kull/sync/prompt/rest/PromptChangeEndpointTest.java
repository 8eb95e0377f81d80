package ai.kull.sync.prompt.rest;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.service.testing.PublishEndpointContract;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import ai.kull.sync.testing.Ids;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class PromptChangeEndpointTest extends PublishEndpointContract {

    PromptChangeEndpointTest() {
        super("/api/sync/prompt-change", Topics.PROMPT_CHANGES, "PROMPT_CHANGE", "promptId");
    }

    /** A broadcast: keyed by the promptId. */
    @Override
    protected String validBody() {
        return "{\"promptId\":\"" + unique("prompt") + "\",\"action\":\"voted\"}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing promptId   | {"action":"voted"}                                    | promptId    | must not be blank
            missing action     | {"promptId":"p1"}                                     | action      | must not be null
            unknown action     | {"promptId":"p1","action":"liked"}                    | action      | unknown value 'liked', expected one of [created, updated, deleted, voted]
            action as number   | {"promptId":"p1","action":3}                          | action      | expected a string
            userIds not a list | {"promptId":"p1","action":"voted","userIds":"u1"}     | userIds     | expected an array
            empty userIds      | {"promptId":"p1","action":"voted","userIds":[]}       | userIds     | must not be empty
            bad user id        | {"promptId":"p1","action":"voted","userIds":["ok","no way"]} | userIds[1] | must contain only
            """)
    void aBadFieldIsNamedWithItsReason(String row, String body, String field, String reason) {
        assertBadBody(body, 400, field, reason);
    }

    @Test
    void aTooLongPromptIdIsNamed() {
        assertBadBody("{\"promptId\":\"" + "p".repeat(129) + "\",\"action\":\"created\"}", 400, "promptId",
                "at most 128 characters");
    }

    @Test
    void listedUsersEachGetTheirOwnRecordNamingOnlyThem() {
        String prompt = unique("prompt");
        String alice = unique("alice");
        String bob = unique("bob");
        Response response = asService()
                .body("{\"promptId\":\"" + prompt + "\",\"action\":\"updated\",\"userIds\":[\"" + alice + "\",\""
                        + bob + "\",\"" + alice + "\"]}")
                .post(path());

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getInt("recipients")).isEqualTo(2);
        List<TopicReader.Seen> records = TopicReader.matching(bootstrap(), topic(),
                seen -> seen.value().contains("\"promptId\":\"" + prompt + "\""));
        assertThat(records).extracting(TopicReader.Seen::key).containsExactlyInAnyOrder(alice, bob);
        for (TopicReader.Seen record : records) {
            assertThat(record.header(EventHeaders.SCOPE)).isEqualTo("user");
            assertThat(record.value()).contains("\"userIds\":[\"" + record.key() + "\"]", "\"action\":\"updated\"",
                    "\"userId\":\"" + record.key() + "\"");
        }
    }

    @Test
    void withoutUserIdsOneBroadcastRecordNamesNoUser() {
        String prompt = unique("prompt");
        Response response = asService().body("{\"promptId\":\"" + prompt + "\",\"action\":\"deleted\"}").post(path());

        assertThat(response.jsonPath().getString("recipients")).isEqualTo("everyone");
        List<TopicReader.Seen> records = TopicReader.matching(bootstrap(), topic(), seen -> prompt.equals(seen.key()));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).header(EventHeaders.SCOPE)).isEqualTo("broadcast");
        assertThat(records.get(0).value()).doesNotContain("userId");
    }

    @Test
    void aRetryOfAFanOutPublishesNoSecondRecordForAnyUser() {
        String prompt = unique("prompt");
        String key = Ids.unique("key");
        String body = "{\"promptId\":\"" + prompt + "\",\"action\":\"created\",\"userIds\":[\"u_a\",\"u_b\",\"u_c\"]}";
        Response first = asService().header("Idempotency-Key", key).body(body).post(path());
        Response retry = asService().header("Idempotency-Key", key).body(body).post(path());

        assertThat(retry.jsonPath().getList("eventIds")).isEqualTo(first.jsonPath().getList("eventIds")).hasSize(3);
        assertThat(TopicReader.withHeader(bootstrap(), topic(), EventHeaders.IDEMPOTENCY_KEY, key)).hasSize(3);
    }

    private static String unique(String prefix) {
        return Ids.unique(prefix);
    }
}
