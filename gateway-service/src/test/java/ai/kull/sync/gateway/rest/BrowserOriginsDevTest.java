package ai.kull.sync.gateway.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** The dev profile (application.properties' %dev line): a page on localhost or 127.0.0.1, any port, is allowed. */
@QuarkusTest
@TestProfile(BrowserOriginsDevTest.Dev.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class BrowserOriginsDevTest extends BrowserOriginsContract {

    public static class Dev extends NamedProfile {
        public Dev() {
            super("dev");
        }
    }

    @Test
    void localhostOnAnyPortIsAllowed() throws Exception {
        assertAllowed("http://localhost:3000");
        assertAllowed("http://localhost:5173");
        assertAllowed("http://127.0.0.1:8081");
        assertAllowed("http://localhost");
    }

    @Test
    void otherHostsAreRefused() throws Exception {
        assertRefused("https://app.example.com");
        assertRefused("http://localhost.evil.example:3000");
        assertRefused("http://127.0.0.1.evil.example");
    }
}
