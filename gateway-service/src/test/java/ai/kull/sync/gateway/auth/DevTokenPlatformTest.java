package ai.kull.sync.gateway.auth;

import ai.kull.sync.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The platform a dev-token device shows (device list, DEVICE_CONNECTED, admin sessions) instead of "unknown". */
class DevTokenPlatformTest {

    private static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "HeadlessChrome/131.0.0.0 Safari/537.36";

    private final TokenVerifier verifier = new TokenVerifier(devTokensOn());

    @Test
    void aPlatformQueryParameterNamesIt() throws Exception {
        assertThat(verifier.verify("user_123:iphone_456", "ios", null).platform()).isEqualTo("ios");
        assertThat(verifier.verify("user_123:mac_1", "macos", CHROME).platform()).isEqualTo("macos");
    }

    @Test
    void aBrowserIsWebAsIsATokenWithoutADevice() throws Exception {
        assertThat(verifier.verify("user_123:laptop", null, CHROME).platform()).isEqualTo("web");
        assertThat(verifier.verify("user_123", null, null).platform()).isEqualTo("web");
    }

    @Test
    void anythingElseIsStillUnknown() throws Exception {
        assertThat(verifier.verify("user_123:iphone_456", null, "kull/1 CFNetwork/1490 Darwin/23.2.0").platform())
                .isEqualTo("unknown");
    }

    @Test
    void aMalformedPlatformIsRefusedWithItsReason() {
        assertThatThrownBy(() -> verifier.verify("user_123:iphone_456", "<script>", null))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("invalid platform parameter");
    }

    /** The dev profile's auth settings: dev tokens on, no JWT key. */
    private static GatewayConfig devTokensOn() {
        GatewayConfig.Auth auth = (GatewayConfig.Auth) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[]{GatewayConfig.Auth.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "devTokens" -> true;
                    case "clockSkew" -> Duration.ofSeconds(30);
                    default -> Optional.empty();
                });
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[]{GatewayConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("auth")) {
                        return auth;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
