package ai.kull.sync.gateway.config;

import ai.kull.sync.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The parser behind {@link ReadmeConfigTest}: it must fail on a false document (docs/gateway.md), not only pass on a true one. */
class ConfigDocsTest {

    private static final String MAPPING = ReadmeConfigTest.MAPPING;

    private static List<String> problems(String text) {
        return ConfigDocs.problems("copy", text, "GATEWAY_", ReadmeConfigTest.SETTINGS, MAPPING,
                ReadmeConfigTest.notASetting(ConfigDocs.repositoryRoot()));
    }

    @Test
    void readsSettingsOfNestedGroupsWithTheirDefaults() {
        assertThat(ReadmeConfigTest.SETTINGS.get("GATEWAY_REPLAY_MAX_BYTES").defaultValue()).isEqualTo("67108864");
        assertThat(ReadmeConfigTest.SETTINGS.get("GATEWAY_ADMISSION_MAX_NEW_PER_SECOND").property())
                .isEqualTo("gateway.admission.max-new-per-second");
        assertThat(ReadmeConfigTest.SETTINGS.get("GATEWAY_AUTH_JWT_SECRET").defaultValue()).isNull();
        assertThat(ReadmeConfigTest.SETTINGS).containsKey("GATEWAY_POD_ID").containsKey("GATEWAY_HEARTBEAT_INTERVAL");
    }

    @Test
    void findsNamesWithTheDefaultWrittenAfterThem() {
        assertThat(ConfigDocs.mentions("a `GATEWAY_REPLAY_WINDOW` (5m), `GATEWAY_X`\nthen GATEWAY_Y (1 MiB) and "
                + "`GATEWAY_AUTH_DEV_TOKENS=true`", "GATEWAY_")).containsExactly(
                new ConfigDocs.Mention("GATEWAY_REPLAY_WINDOW", "5m", 1),
                new ConfigDocs.Mention("GATEWAY_X", null, 1),
                new ConfigDocs.Mention("GATEWAY_Y", "1 MiB", 2),
                new ConfigDocs.Mention("GATEWAY_AUTH_DEV_TOKENS", null, 2));
    }

    @Test
    void comparesValuesAsWritten() {
        assertThat(ConfigDocs.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigDocs.duration("PT12H")).isEqualTo(Duration.ofHours(12));
        assertThat(ConfigDocs.number("64 MiB")).isEqualByComparingTo("67108864");
        assertThat(ConfigDocs.number("64 KiB")).isEqualByComparingTo("65536");
        assertThat(ConfigDocs.number("1,000")).isEqualByComparingTo("1000");
        assertThat(ConfigDocs.number("20/s")).isEqualByComparingTo("20");
        assertThat(ConfigDocs.number("lots")).isNull();
    }

    @Test
    void theRealGatewayDocWithOneDefaultChangedFails() {
        String doc = ConfigDocs.read(ConfigDocs.repositoryRoot().resolve("docs/gateway.md"));
        assertThat(doc).contains("`GATEWAY_REPLAY_WINDOW` (5m)").contains("`GATEWAY_SESSION_MAX_PENDING_BYTES` (1 MiB)");
        assertThat(problems(doc.replace("`GATEWAY_REPLAY_WINDOW` (5m)", "`GATEWAY_REPLAY_WINDOW` (10m)")))
                .singleElement().asString()
                .contains("GATEWAY_REPLAY_WINDOW").contains("'10m'").contains("'5m'").contains("gateway.replay.window");
        assertThat(problems(doc.replace("`GATEWAY_SESSION_MAX_PENDING_BYTES` (1 MiB)", "`GATEWAY_SESSION_MAX_PENDING_BYTES` (1 KiB)")))
                .singleElement().asString()
                .contains("GATEWAY_SESSION_MAX_PENDING_BYTES");
    }

    @Test
    void aNameThatIsNoSettingFails() {
        assertThat(problems("Each pod keeps `GATEWAY_REPLAY_SIZE` (5m) of events; SYNC_STARTED is a type."))
                .singleElement().asString().contains("copy:1: GATEWAY_REPLAY_SIZE is no setting of GatewayConfig");
        assertThat(problems("GATEWAY_PORTS and GATEWAY_JAVA_OPTS are read by deploy/local/run.sh and bench/run.sh")).isEmpty();
        assertThat(problems("the `SHOOT_PROGRESS` type, GATEWAY_POD_ID and `GATEWAY_SESSION_INBOUND_RATE` (20)")).isEmpty();
    }

    @Test
    void aDefaultStatedForASettingWithoutOneFails() {
        assertThat(problems("`GATEWAY_AUTH_JWT_PUBLIC_KEY` (PEM)")).singleElement().asString()
                .contains("GATEWAY_AUTH_JWT_PUBLIC_KEY").contains("has none");
    }

    @Test
    void repetitionsInPropertiesAreFound() {
        String properties = """
                quarkus.shutdown.delay=${gateway.drain.period:10s}
                quarkus.websockets-next.server.auto-ping-interval=${gateway.heartbeat-interval}
                # closed after gateway.session.idle-timeout (GATEWAY_SESSION_IDLE_TIMEOUT, 60s)
                #  GATEWAY_SESSION_MAX_PER_USER (20): sessions of one user
                #  GATEWAY_SESSION_INBOUND_RATE (20/s): frames
                #  GATEWAY_SESSION_MAX_PER_USER: sessions of one user
                %test.gateway.drain.period=1s
                """;
        assertThat(ConfigDocs.repetitions("p", properties, ReadmeConfigTest.SETTINGS)).containsExactly(
                "p:1: ${gateway.drain.period:10s} repeats the @WithDefault of gateway.drain.period; write ${gateway.drain.period}",
                "p:3: the comment repeats the default of gateway.session.idle-timeout (GATEWAY_SESSION_IDLE_TIMEOUT, 60s)",
                "p:4: the comment repeats the default of gateway.session.max-per-user (20)",
                "p:5: the comment repeats the default of gateway.session.inbound-rate (20/s)");
    }
}
