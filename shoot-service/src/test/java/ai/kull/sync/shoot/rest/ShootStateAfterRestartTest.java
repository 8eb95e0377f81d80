package ai.kull.sync.shoot.rest;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.events.publish.Idempotency;
import ai.kull.sync.service.publish.EventPublishing;
import ai.kull.sync.service.rest.RequestBodies;
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
 * A restart loses nothing: progress a previous instance published (and progress a device reported) is on the
 * topic before this instance starts, and the new instance serves it and recognizes the earlier retry key.
 */
@QuarkusTest
@QuarkusTestResource(value = ShootStateAfterRestartTest.PreviousInstance.class, restrictToAnnotatedClass = true)
class ShootStateAfterRestartTest {

    static final String USER = "restart_user";
    static final String KEY = "seeded-shoot-key";

    public static class PreviousInstance extends RestartableKafka {
        @Override
        protected void seed(String bootstrap) {
            ShootProgress viaHttp = new ShootProgress("restart_shoot", ShootStatus.PROCESSING, 30, 100, "IMG_0015.jpg",
                    60.0, "Replicate", null);
            ShootProgress viaDevice = new ShootProgress("device_shoot", ShootStatus.PROCESSING, 5, 10, null, null,
                    "Local", null);
            publishAsPreviousInstance(bootstrap, publisher -> {
                publisher.publishToUser(USER, Envelope.of(MessageType.SHOOT_PROGRESS, viaHttp, USER, null),
                                new Idempotency(KEY, EventPublishing.hash(new RequestBodies.UserScoped<>(USER, viaHttp))))
                        .get(30, TimeUnit.SECONDS);
                // As the gateway relays a device's UPDATE_PROGRESS.
                publisher.publishExceptDevice(USER, "mac-1",
                        Envelope.of(MessageType.SHOOT_PROGRESS, viaDevice, USER, "mac-1")).get(30, TimeUnit.SECONDS);
            });
        }
    }

    @Test
    void progressAndSeenKeysAreRebuiltFromTheTopic() {
        PublishEndpointContract.awaitReadyNow();
        Response progress = PublishEndpointContract.serviceCall().get("/api/shoots/restart_shoot/progress");
        assertThat(progress.statusCode()).isEqualTo(200);
        assertThat(progress.jsonPath().getInt("processedCount")).isEqualTo(30);
        assertThat(PublishEndpointContract.serviceCall().get("/api/users/" + USER + "/shoots/active")
                .jsonPath().getList("shootId")).containsExactlyInAnyOrder("restart_shoot", "device_shoot");

        Response retry = PublishEndpointContract.serviceCall().header("Idempotency-Key", KEY)
                .body(ShootProgressEndpointTest.body(USER, "restart_shoot", "processing", 30, 100)
                        .replace("\"eta\":120", "\"eta\":60.0"))
                .post("/api/sync/shoot-progress");
        assertThat(retry.statusCode()).as(retry.asString()).isEqualTo(200);
        assertThat(retry.jsonPath().getBoolean("replayed")).isTrue();
        assertThat(retry.jsonPath().getList("eventIds")).containsExactly(progress.jsonPath().getString("eventId"));
        assertThat(TopicReader.withHeader(PublishEndpointContract.bootstrap(), Topics.SHOOT_PROGRESS,
                EventHeaders.IDEMPOTENCY_KEY, KEY)).hasSize(1);
    }
}
