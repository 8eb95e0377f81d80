package ai.kull.sync.events.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every rule rejects a bad input, naming the field and the reason. */
class ValidationRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG_ID = "a".repeat(129);

    private final EventCodec codec = new EventCodec();

    enum Kind { ENVELOPE, CLIENT_MESSAGE, ORG_EVENT }

    static Stream<Arguments> rules() {
        return Stream.of(
                // ShootProgress
                shoot("missing id", d -> d.remove("shootId"), "data.shootId", "must not be blank"),
                shoot("blank id", d -> d.put("shootId", "  "), "data.shootId", "must not be blank"),
                shoot("id with a space", d -> d.put("shootId", "shoot 1"), "data.shootId",
                        "must contain only letters, digits and . _ : @ -"),
                shoot("id too long", d -> d.put("shootId", LONG_ID), "data.shootId", "must be at most 128 characters"),
                shoot("negative processedCount", d -> d.put("processedCount", -1), "data.processedCount",
                        "must be greater than or equal to 0"),
                shoot("negative totalCount", d -> d.put("totalCount", -1), "data.totalCount",
                        "must be greater than or equal to 0"),
                shoot("processed more than total", d -> d.put("processedCount", 101), "data.processedCount",
                        "must be <= totalCount"),
                shoot("negative eta", d -> d.put("eta", -0.5), "data.eta", "must be greater than or equal to 0"),
                shoot("unknown status", d -> d.put("status", "foo"), "data.status",
                        "unknown value 'foo', expected one of [queued, processing, completed, failed]"),
                shoot("status in upper case", d -> d.put("status", "PROCESSING"), "data.status",
                        "unknown value 'PROCESSING', expected one of [queued, processing, completed, failed]"),
                shoot("missing provider", d -> d.remove("provider"), "data.provider", "must not be blank"),
                shoot("missing totalCount", d -> d.remove("totalCount"), "data.totalCount", "must not be null"),
                shoot("errorMessage too long", d -> d.put("errorMessage", "x".repeat(1001)), "data.errorMessage",
                        "must be at most 1000 characters"),
                shoot("count as a string", d -> d.put("processedCount", "15"), "data.processedCount",
                        "expected an integer"),
                shoot("float for an integer", d -> d.put("processedCount", 1.5), "data.processedCount",
                        "expected an integer"),
                shoot("integer out of range", d -> d.put("totalCount", 99_999_999_999L), "data.totalCount",
                        "number out of range"),
                shoot("eta as a string", d -> d.put("eta", "soon"), "data.eta", "expected a number"),
                shoot("id as a number", d -> d.put("shootId", 12), "data.shootId", "expected a string"),
                shoot("id as an object", d -> d.putObject("shootId"), "data.shootId", "expected a string"),
                // CreditUpdate
                credit("negative balance", d -> d.put("newBalance", -1), "data.newBalance",
                        "must be greater than or equal to 0"),
                credit("missing change", d -> d.remove("change"), "data.change", "must not be null"),
                credit("blank reason", d -> d.put("reason", ""), "data.reason", "must not be blank"),
                credit("reason too long", d -> d.put("reason", "x".repeat(501)), "data.reason",
                        "must be at most 500 characters"),
                credit("userId with a slash", d -> d.put("userId", "user/1"), "data.userId",
                        "must contain only letters, digits and . _ : @ -"),
                // PromptChange
                prompt("unknown action", d -> d.put("action", "liked"), "data.action",
                        "unknown value 'liked', expected one of [created, updated, deleted, voted]"),
                prompt("blank recipient", d -> ((ArrayNode) d.get("userIds")).add(" "), "data.userIds[2]",
                        "must not be blank"),
                prompt("recipient as a number", d -> ((ArrayNode) d.get("userIds")).add(7), "data.userIds[2]",
                        "expected a string"),
                prompt("recipients not a list", d -> d.put("userIds", "user_123"), "data.userIds",
                        "expected an array"),
                prompt("too many recipients", d -> {
                    ArrayNode ids = d.putArray("userIds");
                    for (int i = 0; i <= 1000; i++) {
                        ids.add("user_" + i);
                    }
                }, "data.userIds", "must have at most 1000 entries"),
                // Control payloads
                envelope("ERROR code not UPPER_SNAKE",
                        "{\"type\":\"ERROR\",\"data\":{\"code\":\"bad-code\",\"reason\":\"x\"}}", "data.code",
                        "must be UPPER_SNAKE_CASE"),
                envelope("heartbeat interval zero", "{\"type\":\"CONNECTION_ESTABLISHED\",\"data\":{\"connectionId\":"
                                + "\"c1\",\"userId\":\"u1\",\"deviceId\":\"d1\",\"pod\":\"p1\",\"heartbeatIntervalMs\":0,"
                                + "\"resumed\":false}}", "data.heartbeatIntervalMs", "must be greater than 0"),
                envelope("boolean as a string", "{\"type\":\"CONNECTION_ESTABLISHED\",\"data\":{\"connectionId\":"
                                + "\"c1\",\"userId\":\"u1\",\"deviceId\":\"d1\",\"pod\":\"p1\",\"heartbeatIntervalMs\":1,"
                                + "\"resumed\":\"yes\"}}", "data.resumed", "expected a boolean"),
                envelope("resync without reason", "{\"type\":\"RESYNC_REQUIRED\",\"data\":{}}", "data.reason",
                        "must not be blank"),
                envelope("cursor with a space", "{\"type\":\"PENDING_CHECK_COMPLETE\",\"data\":{\"delivered\":1,"
                                + "\"cursor\":\"a b\"}}", "data.cursor",
                        "must contain only letters, digits and . _ : @ = , ~ + / -"),
                // Envelope
                envelope("unknown type", "{\"type\":\"X\",\"data\":{}}", "type", "unknown type 'X'"),
                envelope("missing type", "{\"data\":{}}", "type", "must not be null"),
                envelope("type as a number", "{\"type\":3,\"data\":{}}", "type", "expected a string"),
                envelope("organization type in an envelope", "{\"type\":\"SYNC_STARTED\",\"data\":{}}", "type",
                        "not allowed in an envelope"),
                envelope("client type in an envelope", "{\"type\":\"UPDATE_PROGRESS\",\"data\":{}}", "type",
                        "not allowed in an envelope"),
                envelope("missing data", "{\"type\":\"PONG\"}", "data", "must not be null"),
                envelope("data not an object", "{\"type\":\"PONG\",\"data\":[1]}", "data", "expected an object"),
                envelope("negative timestamp", "{\"type\":\"PONG\",\"data\":{\"timestamp\":1},\"timestamp\":-1}",
                        "timestamp", "must be greater than or equal to 0"),
                envelope("timestamp as a string", "{\"type\":\"PONG\",\"data\":{\"timestamp\":1},\"timestamp\":\"1\"}",
                        "timestamp", "expected an integer"),
                envelope("userId with a space", "{\"type\":\"PONG\",\"data\":{\"timestamp\":1},\"userId\":\"a b\"}",
                        "userId", "must contain only letters, digits and . _ : @ -"),
                // Not a message at all
                envelope("not JSON", "{type: PONG", "$", "not valid JSON"),
                envelope("empty", "", "$", "not valid JSON"),
                envelope("trailing garbage", "{\"type\":\"PONG\",\"data\":{\"timestamp\":1}} x", "$",
                        "not valid JSON"),
                envelope("duplicate field", "{\"type\":\"PONG\",\"type\":\"PING\",\"data\":{}}", "$", "not valid JSON"),
                envelope("array", "[]", "$", "expected an object"),
                // Client messages
                client("server-only type from a client", "{\"type\":\"CREDIT_UPDATE\",\"payload\":{}}", "type",
                        "not allowed in a client message"),
                client("unknown type from a client", "{\"type\":\"HELLO\"}", "type", "unknown type 'HELLO'"),
                client("progress without payload", "{\"type\":\"UPDATE_PROGRESS\"}", "payload.shootId",
                        "must not be blank"),
                client("payload inside payload", "{\"type\":\"UPDATE_PROGRESS\",\"payload\":{\"payload\":{\"shootId\":"
                        + "\"shoot_456\",\"status\":\"processing\",\"processedCount\":15,\"totalCount\":100,"
                        + "\"provider\":\"Local\"}}}", "payload", ClientMessageDeserializer.NESTED_REASON),
                client("subscribe without orgId", "{\"type\":\"SUBSCRIBE\",\"payload\":{}}", "payload.orgId",
                        "must not be blank"),
                client("cursor too long", "{\"type\":\"GET_PENDING\",\"data\":{\"cursor\":\"" + "c".repeat(1025)
                        + "\"}}", "payload.cursor", "must be at most 1024 characters"),
                client("ack without cursor", "{\"type\":\"ACK\",\"payload\":{}}", "payload.cursor", "must not be blank"),
                client("ack with a junk cursor", "{\"type\":\"ACK\",\"payload\":{\"cursor\":\"a b\"}}", "payload.cursor",
                        "must contain only letters, digits and . _ : @ = , ~ + / -"),
                client("message id with @", "{\"type\":\"PING\",\"id\":\"m@1\"}", "id",
                        "must contain only letters, digits and . _ : -"),
                client("empty message id", "{\"type\":\"PING\",\"id\":\"\"}", "id", "must be 1 to 64 characters"),
                client("message id too long", "{\"type\":\"PING\",\"id\":\"" + "m".repeat(65) + "\"}", "id",
                        "must be 1 to 64 characters"),
                client("message id as a number", "{\"type\":\"PING\",\"id\":42}", "id", "expected a string"),
                // Organization sync events
                org("progress above 100", e -> e.put("progress", 101), "progress", "must be less than or equal to 100"),
                org("progress below 0", e -> e.put("progress", -1), "progress", "must be greater than or equal to 0"),
                org("fractional progress", e -> e.put("progress", 45.5), "progress", "expected an integer"),
                org("missing jobId", e -> e.remove("jobId"), "jobId", "must not be blank"),
                org("missing timestamp", e -> e.remove("timestamp"), "timestamp", "must not be null"),
                org("timestamp not ISO-8601", e -> e.put("timestamp", "yesterday"), "timestamp",
                        "expected an ISO-8601 timestamp string"),
                org("not an organization type", e -> e.put("type", "SHOOT_PROGRESS"), "type",
                        "not an organization sync event"),
                org("unknown type", e -> e.put("type", "SYNC_PAUSED"), "type", "unknown type 'SYNC_PAUSED'"),
                org("message too long", e -> e.put("message", "m".repeat(1001)), "message",
                        "must be at most 1000 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rejects(String rule, Kind kind, String json, String field, String reason) {
        InvalidEventException failure = catchThrowableOfType(InvalidEventException.class, () -> decode(kind, json));

        assertThat(failure).as("%s is rejected", rule).isNotNull();
        assertThat(failure.violations()).contains(new Violation(field, reason));
    }

    private Object decode(Kind kind, String json) {
        return switch (kind) {
            case ENVELOPE -> codec.decodeEnvelope(json);
            case CLIENT_MESSAGE -> codec.decodeClientMessage(json);
            case ORG_EVENT -> codec.decodeOrgEvent(json);
        };
    }

    private static Arguments shoot(String rule, Consumer<ObjectNode> breakData, String field, String reason) {
        return withData(rule, "SHOOT_PROGRESS", "{\"shootId\":\"shoot_456\",\"status\":\"processing\","
                + "\"processedCount\":15,\"totalCount\":100,\"eta\":12.5,\"provider\":\"Local\"}", breakData, field, reason);
    }

    private static Arguments credit(String rule, Consumer<ObjectNode> breakData, String field, String reason) {
        return withData(rule, "CREDIT_UPDATE", "{\"userId\":\"user_123\",\"newBalance\":500,\"change\":100,"
                + "\"reason\":\"Credit purchase\"}", breakData, field, reason);
    }

    private static Arguments prompt(String rule, Consumer<ObjectNode> breakData, String field, String reason) {
        return withData(rule, "PROMPT_CHANGE", "{\"promptId\":\"prompt_789\",\"action\":\"voted\","
                + "\"userIds\":[\"user_123\",\"user_456\"]}", breakData, field, reason);
    }

    private static Arguments org(String rule, Consumer<ObjectNode> breakEvent, String field, String reason) {
        ObjectNode event = parse("{\"type\":\"SYNC_PROGRESS\",\"jobId\":\"sync-job-123\",\"progress\":45,"
                + "\"message\":\"Synced 3 of 7 records\",\"timestamp\":\"2025-11-28T10:00:15Z\"}");
        breakEvent.accept(event);
        return arguments(rule, Kind.ORG_EVENT, event.toString(), field, reason);
    }

    private static Arguments envelope(String rule, String json, String field, String reason) {
        return arguments(rule, Kind.ENVELOPE, json, field, reason);
    }

    private static Arguments client(String rule, String json, String field, String reason) {
        return arguments(rule, Kind.CLIENT_MESSAGE, json, field, reason);
    }

    private static Arguments withData(String rule, String type, String validData, Consumer<ObjectNode> breakData,
                                      String field, String reason) {
        ObjectNode data = parse(validData);
        breakData.accept(data);
        ObjectNode envelope = JSON.createObjectNode().put("type", type).put("timestamp", 1_732_788_000_000L);
        envelope.set("data", data);
        return envelope(rule, envelope.toString(), field, reason);
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
