package ai.kull.sync.gateway;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.testing.Ids;
import ai.kull.sync.testing.Metrics;
import ai.kull.sync.testing.Readiness;
import ai.kull.sync.testing.TestDevice;
import ai.kull.sync.testing.Waits;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What every test of one in-process gateway needs: a ready pod, a publisher, devices with valid tokens. */
public abstract class GatewayTest {

    protected static EventPublisher publisher;

    @TestHTTPResource("/")
    protected URI base;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    protected String bootstrap;

    @BeforeEach
    protected void awaitReady() {
        if (publisher == null) {
            publisher = new EventPublisher(bootstrap);
        }
        Readiness.awaitReady(base, Waits.PATIENCE);
    }

    @AfterAll
    static void closePublisher() {
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
    }

    /** A device whose session is attached: events published from now on reach it. */
    protected TestDevice device(String path, String userId, String deviceId, List<String> orgs) throws Exception {
        return TestDevice.connect(ws(path + "?token=" + token(userId, deviceId, orgs))).awaitEstablished();
    }

    /** A device reconnecting with {@code cursor}: it gets what it missed, then live events. */
    protected TestDevice resume(String userId, String deviceId, String cursor) throws Exception {
        return TestDevice.connect(ws("/ws?token=" + token(userId, deviceId, List.of()) + "&cursor="
                + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
    }

    /** Every frame up to and including PENDING_CHECK_COMPLETE, the end of a replay. */
    protected static List<String> untilPendingComplete(TestDevice device) throws InterruptedException {
        List<String> frames = new ArrayList<>();
        do {
            frames.add(device.next());
        } while (!frames.get(frames.size() - 1).contains("\"type\":\"PENDING_CHECK_COMPLETE\""));
        return frames;
    }

    protected static String token(String userId, String deviceId, List<String> orgs) throws Exception {
        return TestDevice.token(userId, deviceId, Duration.ofMinutes(5), TestDevice.SECRET, orgs);
    }

    protected URI ws(String pathAndQuery) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + pathAndQuery);
    }

    protected static Envelope credit(String userId, long balance) {
        return Envelope.of(MessageType.CREDIT_UPDATE, new CreditUpdate(userId, balance, 1L, "test"), userId, null);
    }

    protected static void publishCredit(String userId, long balance) throws Exception {
        publisher.publishToUser(userId, credit(userId, balance)).get(10, TimeUnit.SECONDS);
    }

    /** The value of one Prometheus sample line of this gateway, e.g. {@code name{tag="x"}}; 0 when absent. */
    protected static double metric(String sample) {
        return Metrics.value(RestAssured.get("/q/metrics").asString(), sample);
    }

    /** An UPDATE_PROGRESS frame of a device with client message id {@code id}. */
    protected static String progress(String id, String shoot, int processed) {
        return "{\"type\":\"UPDATE_PROGRESS\",\"id\":\"" + id + "\",\"payload\":{\"shootId\":\"" + shoot
                + "\",\"status\":\"processing\",\"processedCount\":" + processed
                + ",\"totalCount\":10,\"provider\":\"Replicate\"}}";
    }

    protected static String unique(String prefix) {
        return Ids.unique(prefix);
    }
}
