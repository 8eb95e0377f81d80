package ai.kull.sync.process.stack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpOptionsTest {

    private static final Path ROOT = Path.of("/repo");
    private static final UpOptions.PortSource NO_FREE_PORTS = () -> {
        throw new AssertionError("no port from the OS unless --free-ports");
    };

    private static UpOptions parse(String... args) {
        return UpOptions.parse(List.of(args), ROOT);
    }

    @Test
    void theDefaultsAreTheLocalStacks() {
        UpOptions options = parse();
        assertThat(options.gateways).isEqualTo(2);
        assertThat(options.gatewayPort(0, NO_FREE_PORTS)).isEqualTo(8080);
        assertThat(options.gatewayPort(1, NO_FREE_PORTS)).isEqualTo(8090);
        assertThat(options.gatewayName(1, 8090)).isEqualTo("gateway-8090");
        assertThat(options.kafkaPort(NO_FREE_PORTS)).isEqualTo(9092);
        assertThat(options.services).containsExactly("credit-service", "shoot-service", "prompt-service", "publish-service");
        assertThat(options.servicePort("publish-service", NO_FREE_PORTS)).isEqualTo(8084);
        assertThat(options.runDir).isEqualTo(ROOT.resolve("target/local-stack"));
        assertThat(options.profile).isEqualTo(UpOptions.Profile.LOCAL);
        assertThat(options.stale).isEqualTo(UpOptions.Stale.FAIL);
        assertThat(options.jwtSecret).isEqualTo(StackApps.LOCAL_JWT_SECRET);
        assertThat(options.startTimeout).isEqualTo(Duration.ofSeconds(180));
        assertThat(options.balancerPort(NO_FREE_PORTS)).hasValue(8000);
        assertThat(parse("--profile", "test").balancerPort(NO_FREE_PORTS)).isEmpty();
        assertThat(parse("--profile", "test", "--balancer-port", "7000").balancerPort(NO_FREE_PORTS)).hasValue(7000);
        assertThat(parse("--no-balancer").balancerPort(NO_FREE_PORTS)).isEmpty();
        assertThat(parse("--gateways", "0").balancerPort(NO_FREE_PORTS)).isEmpty();
    }

    @Test
    void portsNamesServicesAndSettingsAsGiven() {
        UpOptions options = parse("--gateway-ports", "9100 9200 9300", "--gateway-names", "gateway-a,gateway-b,gateway-c",
                "--services", "credit,shoot-service", "--port", "shoot=7001", "--kafka-port", "7000", "--run-dir", "tmp/s",
                "--profile", "test", "--env", "gateways:GATEWAY_DRAIN_PERIOD=2s", "--env", "credit-service:A=b=c",
                "--if-stale", "warn", "--copy-apps", "--fresh", "--stop-on-stdin-eof", "--start-timeout", "60");
        assertThat(options.gateways).isEqualTo(3);
        assertThat(options.gatewayPort(2, NO_FREE_PORTS)).isEqualTo(9300);
        assertThat(options.gatewayName(2, 9300)).isEqualTo("gateway-c");
        assertThat(options.services).containsExactly("credit-service", "shoot-service");
        assertThat(options.servicePort("shoot-service", NO_FREE_PORTS)).isEqualTo(7001);
        assertThat(options.kafkaPort(NO_FREE_PORTS)).isEqualTo(7000);
        assertThat(options.runDir).isEqualTo(ROOT.resolve("tmp/s"));
        assertThat(options.profile).isEqualTo(UpOptions.Profile.TEST);
        assertThat(options.env).containsExactly(new UpOptions.Env("gateways", "GATEWAY_DRAIN_PERIOD", "2s"),
                new UpOptions.Env("credit-service", "A", "b=c"));
        assertThat(options.stale).isEqualTo(UpOptions.Stale.WARN);
        assertThat(options.copyApps && options.fresh && options.stopOnStdinEof).isTrue();
        assertThat(options.startTimeout).isEqualTo(Duration.ofSeconds(60));
        assertThat(parse("--services", "none").services).isEmpty();
    }

    @Test
    void freePortsFillWhatIsNotGiven() {
        Iterator<Integer> free = List.of(40001, 40002, 40003).iterator();
        UpOptions options = parse("--free-ports", "--port", "credit=8181");
        assertThat(options.kafkaPort(free::next)).isEqualTo(40001);
        assertThat(options.gatewayPort(0, free::next)).isEqualTo(40002);
        assertThat(options.servicePort("credit-service", free::next)).isEqualTo(8181);
        assertThat(options.servicePort("shoot-service", free::next)).isEqualTo(40003);
    }

    @Test
    void anEnvSettingTargetsAProcessAKindOrAll() {
        AppLaunch gateway = new AppLaunch("gateway-a", AppLaunch.Kind.GATEWAY, 1, "1m", List.of());
        AppLaunch credit = new AppLaunch("credit-service", AppLaunch.Kind.SERVICE, 2, "1m", List.of());
        assertThat(UpOptions.Env.parse("gateways:K=V").appliesTo(gateway)).isTrue();
        assertThat(UpOptions.Env.parse("gateways:K=V").appliesTo(credit)).isFalse();
        assertThat(UpOptions.Env.parse("services:K=V").appliesTo(credit)).isTrue();
        assertThat(UpOptions.Env.parse("all:K=").appliesTo(gateway)).isTrue();
        assertThat(UpOptions.Env.parse("gateway-a:K=V").appliesTo(gateway)).isTrue();
        assertThat(UpOptions.Env.parse("gateway-a:K=V").appliesTo(credit)).isFalse();
    }

    @Test
    void wrongArgumentsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> parse("--gateways", "two")).hasMessage("--gateways wants a number, not two");
        assertThatThrownBy(() -> parse("--gateways", "3", "--gateway-ports", "1,2")).hasMessage("--gateways 3 but 2 --gateway-ports");
        assertThatThrownBy(() -> parse("--gateway-names", "a")).hasMessage("1 --gateway-names for 2 gateways");
        assertThatThrownBy(() -> parse("--services", "credit,billing")).hasMessageStartingWith("unknown service billing");
        assertThatThrownBy(() -> parse("--services", "credit", "--port", "shoot=1")).hasMessageContaining("not one of the services started");
        assertThatThrownBy(() -> parse("--env", "K=V")).hasMessageStartingWith("--env wants TARGET:KEY=VALUE");
        assertThatThrownBy(() -> parse("--profile", "prod")).hasMessage("--profile is one of [local, test], not prod");
        assertThatThrownBy(() -> parse("--kafka-port")).hasMessage("--kafka-port needs a value");
        assertThatThrownBy(() -> parse("--bogus", "1")).hasMessage("unknown option --bogus");
    }
}
