package ai.kull.sync.gateway.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketWriterTest {

    /**
     * Deliveries work either way (the WebSocket tests prove that); this fails when a Quarkus upgrade hides the
     * socket again, so the slower path is a decision and not an accident.
     */
    @Test
    void writesGoStraightToTheVertxSocketOnThisQuarkusVersion() {
        assertThat(SocketWriter.direct()).isTrue();
    }
}
