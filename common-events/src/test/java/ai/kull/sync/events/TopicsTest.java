package ai.kull.sync.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void everyTopicCarriesAtLeastOneTypeAndTopicsAreDistinct() {
        assertThat(Topics.all()).doesNotHaveDuplicates().allSatisfy(topic ->
                assertThat(Topics.typesOn(topic)).as(topic).isNotEmpty());
        assertThat(Topics.typesOn("sync.unknown")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void onlyTypesThatTravelBetweenProcessesHaveATopic(MessageType type) {
        Set<MessageType> socketOnly = EnumSet.of(MessageType.CONNECTION_ESTABLISHED, MessageType.PING,
                MessageType.PONG, MessageType.ERROR, MessageType.UPDATE_PROGRESS, MessageType.SUBSCRIBE,
                MessageType.UNSUBSCRIBE, MessageType.SUBSCRIBED, MessageType.UNSUBSCRIBED, MessageType.GET_PENDING,
                MessageType.PENDING_CHECK_COMPLETE, MessageType.RESYNC_REQUIRED, MessageType.ACK, MessageType.RECEIVED);

        assertThat(Topics.topicFor(type).isPresent()).isEqualTo(!socketOnly.contains(type));
        Topics.topicFor(type).ifPresent(topic -> assertThat(Topics.all()).contains(topic));
    }

    @Test
    void typesKnowTheirShape() {
        assertThat(MessageType.SYNC_STARTED.isOrgSyncEvent()).isTrue();
        assertThat(MessageType.SYNC_STARTED.payloadClass()).isEmpty();
        assertThat(MessageType.PING.allowedInEnvelope()).isTrue();
        assertThat(MessageType.PING.allowedInClientMessage()).isTrue();
        assertThat(MessageType.UPDATE_PROGRESS.allowedInEnvelope()).isFalse();
        assertThat(MessageType.POD_HEARTBEAT.deliveredToDevices()).isFalse();
    }

    @Test
    void scopeHeaderDefaultsToUserAndRejectsUnknownValues() {
        assertThat(Scope.fromHeader((String) null)).isEqualTo(Scope.USER);
        assertThat(Scope.fromHeader((byte[]) null)).isEqualTo(Scope.USER);
        for (Scope scope : Scope.values()) {
            assertThat(Scope.fromHeader(scope.headerValue())).isEqualTo(scope);
            assertThat(Scope.fromHeader(scope.headerValue().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo(scope);
        }
        assertThatThrownBy(() -> Scope.fromHeader("everyone")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sync-scope").hasMessageContaining("'everyone'");
    }
}
