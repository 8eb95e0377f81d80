package ai.kull.sync.gateway.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

/**
 * The live console is served from the clients module's jar (META-INF/resources/console/), a dependency of the
 * gateway: the page, its bundle (which must be the console built from clients/console, not an empty or foreign
 * file) and its stylesheet, with no CDN.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class ConsoleResourcesTest {

    @Test
    void servesThePageFromTheClientsJar() {
        given().get("/console/").then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .body(containsString("<title>Kull sync console</title>"))
                .body(containsString("src=\"console.js\""));
    }

    @Test
    void servesTheBundleBuiltFromTheConsoleSourcesAndNothingFromElsewhere() {
        String bundle = given().get("/console/console.js").then()
                .statusCode(200)
                .contentType(containsString("javascript"))
                .extract().asString();
        org.assertj.core.api.Assertions.assertThat(bundle)
                .contains("kull-console-token")
                .contains("/api/admin")
                .doesNotContain("https://cdn")
                .doesNotContain("unpkg.com");
        given().get("/console/console.css").then().statusCode(200).contentType(startsWith("text/css"));
        given().get("/console/index.html").then().statusCode(200).body(containsString("console.css"));
    }
}
