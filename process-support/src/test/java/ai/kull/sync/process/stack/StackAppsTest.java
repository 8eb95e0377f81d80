package ai.kull.sync.process.stack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;

class StackAppsTest {

    @Test
    void theAdminTokenIsAnHs256JwtOfTheAdminGroupForTwelveHours() throws Exception {
        String token = StackApps.adminToken("a-secret", Instant.ofEpochSecond(1_000));
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        assertThat(decode(parts[0])).isEqualTo("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        assertThat(decode(parts[1])).isEqualTo("{\"sub\":\"local-operator\",\"groups\":[\"sync-admin\"],\"iat\":1000,\"exp\":44200}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("a-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(parts[2]).isEqualTo(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.UTF_8))));
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    @Test
    void localDevelopmentRelaxesOnlyWhatALocalStackNeeds() {
        AppLaunch gateway = StackApps.localDevelopment(new AppLaunch("gateway-8080", AppLaunch.Kind.GATEWAY, 8080, "1m", List.of()));
        AppLaunch credit = StackApps.localDevelopment(new AppLaunch("credit-service", AppLaunch.Kind.SERVICE, 8081, "1m", List.of()));
        AppLaunch publish = StackApps.localDevelopment(new AppLaunch("publish-service", AppLaunch.Kind.SERVICE, 8084, "1m", List.of()));
        assertThat(gateway.env()).isEqualTo(Map.of("GATEWAY_AUTH_DEV_TOKENS", "true", "GATEWAY_CORS_ORIGINS", StackApps.LOCAL_ORIGINS));
        assertThat(credit.env()).isEqualTo(Map.of("SYNC_SERVICE_ALLOW_ANONYMOUS", "true",
                "QUARKUS_HTTP_CORS_ORIGINS", StackApps.LOCAL_ORIGINS));
        assertThat(publish.env()).isEqualTo(Map.of("PUBLISH_TEAM_KEYS", StackApps.LOCAL_PUBLISH_TEAM_KEYS,
                "QUARKUS_HTTP_CORS_ORIGINS", StackApps.LOCAL_ORIGINS));
    }

    @Test
    void theReadyLinesJsonIsEscaped() {
        assertThat(Json.write(Map.of("log", "/tmp/a \"b\"\n"))).isEqualTo("{\"log\":\"/tmp/a \\\"b\\\"\\n\"}");
        assertThat(Json.write(List.of(1, true, "x"))).isEqualTo("[1,true,\"x\"]");
        assertThat(Json.write(null)).isEqualTo("null");
    }

    @Test
    void aShellLineShowsTheSettingsAndTheCommand() {
        AppLaunch app = new AppLaunch("gateway-a", AppLaunch.Kind.GATEWAY, 1, "256m", List.of("-jar", "app.jar"))
                .env("GATEWAY_CORS_ORIGINS", "a b").jvmOptions(List.of("-XX:MaxHeapFreeRatio=30"));
        assertThat(app.shellLine()).isEqualTo("GATEWAY_CORS_ORIGINS='a b' java -Xmx256m -XX:MaxHeapFreeRatio=30 -jar app.jar");
    }
}
