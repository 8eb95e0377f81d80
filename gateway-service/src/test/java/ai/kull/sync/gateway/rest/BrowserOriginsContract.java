package ai.kull.sync.gateway.rest;

import ai.kull.sync.testing.Readiness;
import ai.kull.sync.testing.TestDevice;
import ai.kull.sync.testing.Waits;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a browser page of some origin gets from the gateway's HTTP API (CORS), asked as Chromium asks: a preflight
 * {@code OPTIONS} with {@code Access-Control-Request-Method/Headers}, then the request with {@code Origin}. One
 * subclass per profile (prod: nothing allowed; dev: localhost on any port; configured: the listed origins).
 */
abstract class BrowserOriginsContract {

    /** A configuration profile (prod, dev) with what it needs to accept the test tokens. */
    abstract static class NamedProfile implements QuarkusTestProfile {
        private final String profile;

        NamedProfile(String profile) {
            this.profile = profile;
        }

        @Override
        public String getConfigProfile() {
            return profile;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.auth.jwt-secret", TestDevice.SECRET);
        }
    }

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void awaitReady() {
        Readiness.awaitReady(base, Waits.PATIENCE);
    }

    String userId = "cors-user-" + System.nanoTime();

    String token() throws Exception {
        return TestDevice.token(userId, "web-1", Duration.ofMinutes(5), TestDevice.SECRET, List.of());
    }

    /** Chromium's preflight for the SDK's device-list fetch (a GET with an Authorization header). */
    Response preflight(String origin) {
        return RestAssured.given().header("Origin", origin)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .options("/api/users/" + userId + "/devices");
    }

    /** Chromium's preflight for the SSE fallback's POSTed message (JSON body, bearer token). */
    Response ssePreflight(String origin) {
        return RestAssured.given().header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/sse/sessions/some-session");
    }

    Response deviceList(String origin) throws Exception {
        return RestAssured.given().header("Origin", origin).header("Authorization", "Bearer " + token())
                .get("/api/users/" + userId + "/devices");
    }

    void assertAllowed(String origin) throws Exception {
        Response preflight = preflight(origin);
        assertThat(preflight.statusCode()).as(preflight.headers().toString()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        assertThat(preflight.header("Access-Control-Allow-Methods")).isEqualTo("GET,HEAD,POST");
        assertThat(preflight.header("Access-Control-Allow-Headers")).contains("Authorization");
        assertThat(preflight.header("Access-Control-Allow-Credentials")).isEqualTo("false");
        assertThat(preflight.header("Access-Control-Max-Age")).isEqualTo("600");
        Response list = deviceList(origin);
        assertThat(list.statusCode()).as(list.asString()).isEqualTo(200);
        assertThat(list.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        assertThat(list.header("Access-Control-Expose-Headers")).isEqualTo("Retry-After");
        assertThat(list.jsonPath().getString("userId")).isEqualTo(userId);
        Response sse = ssePreflight(origin);
        assertThat(sse.statusCode()).as(sse.headers().toString()).isEqualTo(200);
        assertThat(sse.header("Access-Control-Allow-Origin")).isEqualTo(origin);
    }

    /** Refused: 403 and no Access-Control-Allow-Origin, so the browser neither reads nor sends the request. */
    void assertRefused(String origin) throws Exception {
        Response preflight = preflight(origin);
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        Response list = deviceList(origin);
        assertThat(list.statusCode()).isEqualTo(403);
        assertThat(list.header("Access-Control-Allow-Origin")).isNull();
        Response status = RestAssured.given().header("Origin", origin).get("/api/sync/status");
        assertThat(status.statusCode()).isEqualTo(403);
        Response sse = ssePreflight(origin);
        assertThat(sse.statusCode()).isEqualTo(403);
        assertThat(sse.header("Access-Control-Allow-Origin")).isNull();
    }

    /** The gateway's own origin (its console): always allowed, with or without a setting. */
    void assertSameOriginAllowed() throws Exception {
        String self = "http://" + base.getHost() + ":" + base.getPort();
        Response list = deviceList(self);
        assertThat(list.statusCode()).as(list.asString()).isEqualTo(200);
    }

    /** Not a browser (no Origin): CORS does not apply. */
    void assertNoOriginAnswered() throws Exception {
        Response list = RestAssured.given().header("Authorization", "Bearer " + token()).get("/api/users/" + userId + "/devices");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.header("Access-Control-Allow-Origin")).isNull();
    }

    /** The WebSocket upgrade from any origin is not CORS's business: it is switched (101), not refused with 403. */
    void assertWebSocketOpenFrom(String origin) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws?token=" + token() + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: " + origin + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 101");
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
