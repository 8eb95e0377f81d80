package ai.kull.sync.service.health;

import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.state.StateLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StateReadinessCheckTest {

    @Test
    void beforeTheFirstPollItSaysNotPolledInsteadOfMillisSinceTheEpoch() {
        StateLoader notStarted = new StateLoader(config(), Map.of(), null, null, null, new SimpleMeterRegistry());

        HealthCheckResponse response = new StateReadinessCheck(notStarted).call();

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData()).hasValueSatisfying(data -> assertThat(data)
                .containsEntry("polled", false)
                .doesNotContainKey("millisSinceLastPoll"));
    }

    /** The only setting a loader reads before it starts: its topic, a metric tag. */
    private static ServiceConfig config() {
        return (ServiceConfig) Proxy.newProxyInstance(ServiceConfig.class.getClassLoader(),
                new Class<?>[]{ServiceConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "stateTopic" -> "credit-events";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
