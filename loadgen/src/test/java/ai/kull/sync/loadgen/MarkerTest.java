package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MarkerTest {

    private static final String FRAME = "{\"id\":\"e1\",\"type\":\"CREDIT_UPDATE\",\"data\":{\"userId\":\"payload-user\","
            + "\"newBalance\":7,\"change\":1,\"reason\":\"" + Marker.reason(7, 1732200000123456L) + "\",\"version\":3},"
            + "\"timestamp\":1732200000123,\"userId\":\"u1\",\"cursor\":\"ab12~0.5,3.k\"}";

    @Test
    void readsTheSequenceAndPublishTimeBack() {
        assertThat(Marker.read(FRAME)).containsExactly(7L, 1732200000123456L);
    }

    @Test
    void readsTheMarkerOfAShootProgressFromItsCurrentImage() {
        String frame = "{\"id\":\"e2\",\"type\":\"SHOOT_PROGRESS\",\"data\":{\"shootId\":\"s1\",\"status\":\"processing\","
                + "\"processedCount\":3,\"totalCount\":400,\"progress\":0.0075,\"currentImage\":\""
                + Marker.reason(9, 1732200000654321L) + "\",\"eta\":595.5,\"provider\":\"replicate\"},\"userId\":\"u1\"}";
        assertThat(Marker.read(frame)).containsExactly(9L, 1732200000654321L);
    }

    @Test
    void framesWithoutAMarkerHaveNone() {
        assertThat(Marker.read("{\"type\":\"CONNECTION_ESTABLISHED\",\"data\":{}}")).isNull();
        assertThat(Marker.read("{\"data\":{\"reason\":\"lg x 1\"}}")).isNull();
        assertThat(Marker.read("{\"data\":{\"reason\":\"lg 5 \"}}")).isNull();
    }

    @Test
    void theEnvelopeUserIsTheOneAfterThePayload() {
        assertThat(Marker.envelopeUserId(FRAME)).isEqualTo("u1");
        assertThat(Marker.type(FRAME)).isEqualTo("CREDIT_UPDATE");
        assertThat(Marker.cursor(FRAME)).isEqualTo("ab12~0.5,3.k");
        assertThat(Marker.cursor("{\"type\":\"PONG\"}")).isNull();
    }
}
