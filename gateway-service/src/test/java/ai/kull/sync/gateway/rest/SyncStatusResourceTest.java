package ai.kull.sync.gateway.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class SyncStatusResourceTest {

    @Test
    void answersTheSeedsStatusShape() {
        given().get("/api/sync/status").then()
                .statusCode(200)
                .body("status", equalTo("ok"))
                .body("service", equalTo("websocket-sync"))
                .body("timestamp", greaterThan(0L));
    }

    @Test
    void isReadyWhenTheBrokerAnswersAndExposesOperations() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/sync/status"));
    }
}
