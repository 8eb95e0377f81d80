package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every event topic has a role resume honours; a configuration it could not honour stops the start. */
class TopicRolesTest {

    private static final List<String> DEFAULT_TOPICS = List.of(Topics.SHOOT_PROGRESS, Topics.CREDIT_UPDATES,
            Topics.PROMPT_CHANGES, Topics.ORG_EVENTS, Topics.USER_EVENTS);

    @Test
    void everyEventTopicIsUserKeyedUnlessDeclaredOrgOrBroadcast() {
        List<String> topics = new java.util.ArrayList<>(DEFAULT_TOPICS);
        topics.addAll(List.of("team.events", "team.org-events", "team.announcements"));
        TopicRoles roles = TopicRoles.of(topics, List.of(Topics.ORG_EVENTS, "team.org-events"),
                List.of(Topics.PROMPT_CHANGES, "team.announcements"));

        assertThat(roles.of("team.events")).isEqualTo(TopicRoles.Role.USER_KEYED);
        assertThat(roles.of(Topics.CREDIT_UPDATES)).isEqualTo(TopicRoles.Role.USER_KEYED);
        assertThat(roles.of("team.org-events")).isEqualTo(TopicRoles.Role.ORG_KEYED);
        assertThat(roles.of("team.announcements")).isEqualTo(TopicRoles.Role.BROADCAST);
        assertThat(roles.ignored()).isEmpty();
    }

    @Test
    void theDefaultsGiveTheBuiltInTopicsTheirRoles() {
        TopicRoles roles = TopicRoles.of(DEFAULT_TOPICS, List.of(Topics.ORG_EVENTS), List.of(Topics.PROMPT_CHANGES));
        for (String topic : DEFAULT_TOPICS) {
            assertThat(roles.of(topic)).as(topic).isEqualTo(TopicRoles.DEFAULT.of(topic));
        }
    }

    @Test
    void aTopicDeclaredBothOrgAndBroadcastIsRefusedSayingWhatToChange() {
        assertThatThrownBy(() -> TopicRoles.of(DEFAULT_TOPICS, List.of(Topics.ORG_EVENTS, Topics.PROMPT_CHANGES),
                List.of(Topics.PROMPT_CHANGES)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway.kafka.org-topics and gateway.kafka.broadcast-topics both name [sync.prompt-changes]")
                .hasMessageContaining("name each topic in one of the two settings");
    }

    @Test
    void thePresenceTopicAsAnEventTopicIsRefused() {
        List<String> topics = new java.util.ArrayList<>(DEFAULT_TOPICS);
        topics.add(Topics.PRESENCE);
        assertThatThrownBy(() -> TopicRoles.of(topics, List.of(Topics.ORG_EVENTS), List.of(Topics.PROMPT_CHANGES)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remove it from gateway.kafka.event-topics");
    }

    @Test
    void aRoleForATopicThatIsNotConsumedHasNoEffectAndIsReported() {
        TopicRoles roles = TopicRoles.of(List.of(Topics.CREDIT_UPDATES), List.of(Topics.ORG_EVENTS),
                List.of(Topics.PROMPT_CHANGES));
        assertThat(roles.ignored()).containsExactly(Topics.ORG_EVENTS, Topics.PROMPT_CHANGES);
        assertThat(roles.of(Topics.CREDIT_UPDATES)).isEqualTo(TopicRoles.Role.USER_KEYED);
    }
}
