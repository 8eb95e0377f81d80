package ai.kull.sync.shoot.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.service.testing.Credentials;
import ai.kull.sync.service.testing.PublishEndpointContract;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.testing.Ids;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class ShootProgressEndpointTest extends PublishEndpointContract {

    ShootProgressEndpointTest() {
        super("/api/sync/shoot-progress", Topics.SHOOT_PROGRESS, "SHOOT_PROGRESS", "userId");
    }

    @Override
    protected String validBody() {
        return body(unique("user"), unique("shoot"), "processing", 15, 100);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing userId       | {"shootId":"s1","status":"processing","processedCount":1,"totalCount":2,"provider":"p"}                 | userId         | must not be blank
            missing shootId      | {"userId":"u1","status":"processing","processedCount":1,"totalCount":2,"provider":"p"}                  | shootId        | must not be blank
            missing status       | {"userId":"u1","shootId":"s1","processedCount":1,"totalCount":2,"provider":"p"}                         | status         | must not be null
            unknown status       | {"userId":"u1","shootId":"s1","status":"paused","processedCount":1,"totalCount":2,"provider":"p"}       | status         | unknown value 'paused'
            count as string      | {"userId":"u1","shootId":"s1","status":"processing","processedCount":"1","totalCount":2,"provider":"p"} | processedCount | expected an integer
            negative count       | {"userId":"u1","shootId":"s1","status":"processing","processedCount":-1,"totalCount":2,"provider":"p"}  | processedCount | greater than or equal to 0
            negative total       | {"userId":"u1","shootId":"s1","status":"processing","processedCount":0,"totalCount":-2,"provider":"p"}  | totalCount     | greater than or equal to 0
            processed over total | {"userId":"u1","shootId":"s1","status":"processing","processedCount":3,"totalCount":2,"provider":"p"}   | processedCount | must be <= totalCount
            negative eta         | {"userId":"u1","shootId":"s1","status":"processing","processedCount":1,"totalCount":2,"provider":"p","eta":-1} | eta      | greater than or equal to 0
            userId as number     | {"userId":5,"shootId":"s1","status":"processing","processedCount":1,"totalCount":2,"provider":"p"}      | userId         | expected a string
            """)
    void aBadFieldIsNamedWithItsReason(String row, String body, String field, String reason) {
        assertBadBody(body, 400, field, reason);
    }

    @Test
    void everyBadFieldIsNamedInOneAnswer() {
        String body = "{\"userId\":\"" + "u".repeat(129) + "\",\"shootId\":\"" + "s".repeat(129)
                + "\",\"status\":\"processing\",\"processedCount\":5,\"totalCount\":2}";
        assertBadBody(body, 400, "userId", "at most 128 characters");
        assertBadBody(body, 400, "shootId", "at most 128 characters");
        assertBadBody(body, 400, "processedCount", "must be <= totalCount");
        assertBadBody(body, 400, "provider", "must not be blank");
    }

    @Test
    void theLatestProgressIsReadablePerShootAndInTheUsersActiveList() {
        String user = unique("user");
        String shoot = unique("shoot");
        post(body(user, shoot, "processing", 15, 100));
        Response second = post(body(user, shoot, "processing", 40, 100));
        assertThat(second.jsonPath().getDouble("percentage")).isEqualTo(40.0);

        Response progress = asService().get("/api/shoots/" + shoot + "/progress");
        assertThat(progress.statusCode()).isEqualTo(200);
        assertThat(progress.jsonPath().getInt("processedCount")).isEqualTo(40);
        assertThat(progress.jsonPath().getDouble("percentage")).isEqualTo(40.0);
        assertThat(progress.jsonPath().getString("userId")).isEqualTo(user);

        Response active = RestAssured.given().header("Authorization", Credentials.bearer(Credentials.userToken(user)))
                .get("/api/users/" + user + "/shoots/active");
        assertThat(active.jsonPath().getList("shootId")).containsExactly(shoot);
        Response foreign = RestAssured.given()
                .header("Authorization", Credentials.bearer(Credentials.userToken("intruder")))
                .get("/api/shoots/" + shoot + "/progress");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(asService().get("/api/shoots/" + unique("none") + "/progress").statusCode()).isEqualTo(404);
    }

    @Test
    void finishedShootsLeaveTheActiveListAfterTheGracePeriod() {
        String user = unique("user");
        String running = unique("shoot");
        String done = unique("shoot");
        post(body(user, running, "processing", 1, 10));
        post(body(user, done, "completed", 10, 10));

        assertThat(activeShoots(user)).containsExactlyInAnyOrder(running, done);
        // %test grace is 1 s
        await("the finished shoot leaves the active list").until(() -> activeShoots(user), List.of(running)::equals);
        assertThat(asService().get("/api/shoots/" + done + "/progress").jsonPath().getString("status"))
                .isEqualTo("completed");
    }

    @Test
    void progressADeviceReportedThroughTheGatewayLandsInTheSameState() throws Exception {
        String user = unique("user");
        String shoot = unique("shoot");
        // Exactly what the gateway publishes for a device's UPDATE_PROGRESS frame.
        ShootProgress fromDevice = new ShootProgress(shoot, ShootStatus.PROCESSING, 247, 1000, "IMG_2047.jpg", 45.2,
                "gpt-5-nano", null);
        try (EventPublisher gateway = new EventPublisher(bootstrap())) {
            gateway.publishExceptDevice(user, "mac-1",
                    Envelope.of(MessageType.SHOOT_PROGRESS, fromDevice, user, "mac-1")).get(30, TimeUnit.SECONDS);
        }

        Response progress = awaitShoot(shoot);
        assertThat(progress.jsonPath().getInt("processedCount")).isEqualTo(247);
        assertThat(progress.jsonPath().getDouble("percentage")).isEqualTo(24.7);
        assertThat(progress.jsonPath().getString("deviceId")).isEqualTo("mac-1");
        assertThat(activeShoots(user)).containsExactly(shoot);
    }

    @Test
    void aShootOfAnotherUserIsNeitherPublishedNorTakenOver() {
        String shoot = unique("shoot");
        post(body("owner_1", shoot, "processing", 1, 10));

        Response takeover = asService().body(body("intruder_1", shoot, "failed", 1, 10)).post(path());

        assertThat(takeover.statusCode()).isEqualTo(409);
        assertThat(asService().get("/api/shoots/" + shoot + "/progress").jsonPath().getString("userId"))
                .isEqualTo("owner_1");
    }

    private static java.util.List<String> activeShoots(String user) {
        return asService().get("/api/users/" + user + "/shoots/active").jsonPath().getList("shootId", String.class);
    }

    private static Response awaitShoot(String shoot) {
        return await(shoot + " known").until(() -> asService().get("/api/shoots/" + shoot + "/progress"),
                response -> response.statusCode() != 404);
    }

    private Response post(String body) {
        Response response = asService().body(body).post(path());
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        return response;
    }

    static String body(String userId, String shootId, String status, int processed, int total) {
        return "{\"userId\":\"" + userId + "\",\"shootId\":\"" + shootId + "\",\"status\":\"" + status
                + "\",\"processedCount\":" + processed + ",\"totalCount\":" + total
                + ",\"currentImage\":\"IMG_0015.jpg\",\"eta\":120,\"provider\":\"Replicate\"}";
    }

    private static String unique(String prefix) {
        return Ids.unique(prefix);
    }
}
