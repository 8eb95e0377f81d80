package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class FlagsTest {

    @Test
    void valuesFlagsAndDurations() {
        Flags flags = new Flags(new String[] {"--users", "10", "--reconnect-storm", "--duration=90s",
                "--gateways", "ws://a:1,ws://b:2", "--hold", "2m", "--tick", "500ms"});
        assertThat(flags.integer("users", 1)).isEqualTo(10);
        assertThat(flags.flag("reconnect-storm")).isTrue();
        assertThat(flags.duration("duration", Duration.ZERO)).hasSeconds(90);
        assertThat(flags.duration("hold", Duration.ZERO)).hasMinutes(2);
        assertThat(flags.duration("tick", Duration.ZERO)).hasMillis(500);
        assertThat(flags.list("gateways", "")).containsExactly("ws://a:1", "ws://b:2");
        assertThat(flags.number("rate", 2.5)).isEqualTo(2.5);
    }

    @Test
    void theBareServerReadsTheSubjectOfABearerToken() {
        String token = new Tokens("local-dev-secret-change-me-0123456789", Duration.ofMinutes(5)).token("u7", "d1");
        assertThat(BareServer.subject("Bearer " + token)).isEqualTo("u7");
        assertThat(BareServer.subject(null)).isNull();
    }

    @Test
    void consumedRecordsAreSummedOverThePodsConsumersAndTopicsEachTopicOnce() {
        // As a gateway pod with Kafka 4.1's consumer reports them: the client-wide series stays 0, each topic
        // appears under its name and with its dots as underscores.
        String metrics = """
                kafka_consumer_fetch_manager_records_consumed_total{client_id="gateway-g1",kafka_version="4.1.1"} 0.0
                kafka_consumer_fetch_manager_records_consumed_total{client_id="gateway-g1",kafka_version="4.1.1",topic="sync_presence"} 15.0
                kafka_consumer_fetch_manager_records_consumed_total{client_id="gateway-g1",kafka_version="4.1.1",topic="sync.credit-updates"} 1200.0
                kafka_consumer_fetch_manager_records_consumed_total{client_id="gateway-g1",kafka_version="4.1.1",topic="sync.presence"} 15.0
                kafka_consumer_fetch_manager_records_consumed_total{client_id="gateway-g1",kafka_version="4.1.1",topic="sync_credit-updates"} 1200.0
                kafka_consumer_fetch_manager_records_consumed_total{client_id="acks",kafka_version="4.1.1",topic="sync.device-cursors"} 19.0
                kafka_consumer_fetch_manager_records_consumed_rate{client_id="gateway-g1",kafka_version="4.1.1",topic="sync.credit-updates"} 3.1
                """;
        assertThat(PodMetrics.recordsConsumed(metrics)).isEqualTo(1234);
    }
}
