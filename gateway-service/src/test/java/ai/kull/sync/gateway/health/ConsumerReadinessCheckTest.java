package ai.kull.sync.gateway.health;

import ai.kull.sync.gateway.messaging.ConsumerProgress;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumerReadinessCheckTest {

    @Test
    void beforeTheFirstPollItSaysNotPolledInsteadOfMillisSinceTheEpoch() {
        HealthCheckResponse response = new ConsumerReadinessCheck(new ConsumerProgress()).call();

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).hasValueSatisfying(data -> assertThat(data)
                .containsEntry("polled", false)
                .doesNotContainKey("millisSinceLastPoll"));
    }
}
