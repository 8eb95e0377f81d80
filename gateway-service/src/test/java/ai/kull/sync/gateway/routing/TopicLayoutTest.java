package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.Topics;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopicLayoutTest {

    private static final Map<String, Integer> PARTITIONS = Map.of(Topics.SHOOT_PROGRESS, 6, Topics.CREDIT_UPDATES, 6,
            Topics.PROMPT_CHANGES, 3, Topics.ORG_EVENTS, 4, Topics.USER_EVENTS, 6);

    @Test
    void aUsersSlotsAreWhereTheProducersPartitionerPutsItsRecordsPlusEveryBroadcastPartition() {
        TopicLayout layout = new TopicLayout(PARTITIONS, Map.of());
        int partition = BuiltInPartitioner.partitionForKey("user_123".getBytes(StandardCharsets.UTF_8), 6);

        int[] slots = layout.userSlots("user_123");

        assertThat(slots).contains(layout.slot(Topics.CREDIT_UPDATES, partition),
                layout.slot(Topics.SHOOT_PROGRESS, partition), layout.slot(Topics.USER_EVENTS, partition),
                layout.slot(Topics.PROMPT_CHANGES, 0), layout.slot(Topics.PROMPT_CHANGES, 1),
                layout.slot(Topics.PROMPT_CHANGES, 2)).hasSize(6).isSorted();
        assertThat(layout.orgSlots("org-1")).containsExactly(layout.slot(Topics.ORG_EVENTS,
                BuiltInPartitioner.partitionForKey("org-1".getBytes(StandardCharsets.UTF_8), 4)));
        assertThat(layout.partitionOf(layout.slot(Topics.ORG_EVENTS, 3)).partition()).isEqualTo(3);
        assertThat(layout.slot(Topics.PRESENCE, 0)).isEqualTo(-1);
        assertThat(layout.slotCount()).isEqualTo(25);
    }

    @Test
    void theEpochChangesWhenATopicIsRecreatedOrRepartitioned() {
        Map<String, String> ids = Map.of(Topics.CREDIT_UPDATES, "id-1");
        String epoch = new TopicLayout(PARTITIONS, ids).epoch();

        assertThat(new TopicLayout(PARTITIONS, ids).epoch()).isEqualTo(epoch);
        assertThat(new TopicLayout(PARTITIONS, Map.of(Topics.CREDIT_UPDATES, "id-2")).epoch()).isNotEqualTo(epoch);
        Map<String, Integer> more = new java.util.HashMap<>(PARTITIONS);
        more.put(Topics.CREDIT_UPDATES, 12);
        assertThat(new TopicLayout(more, ids).epoch()).isNotEqualTo(epoch);
    }

    @Test
    void anAddedTopicIsReadAtTheUsersPartitionUnlessItIsDeclaredBroadcastOrOrg() {
        Map<String, Integer> partitions = new java.util.HashMap<>(PARTITIONS);
        partitions.put("team.events", 4);
        partitions.put("team.announcements", 2);
        partitions.put("team.org-events", 3);
        TopicRoles roles = TopicRoles.of(java.util.List.copyOf(partitions.keySet()),
                java.util.List.of(Topics.ORG_EVENTS, "team.org-events"),
                java.util.List.of(Topics.PROMPT_CHANGES, "team.announcements"));
        TopicLayout layout = new TopicLayout(partitions, Map.of(), roles);
        int userPartition = BuiltInPartitioner.partitionForKey("user_123".getBytes(StandardCharsets.UTF_8), 4);

        assertThat(layout.userSlots("user_123")).contains(layout.slot("team.events", userPartition),
                layout.slot("team.announcements", 0), layout.slot("team.announcements", 1)).hasSize(9).isSorted();
        assertThat(layout.orgSlots("org-1")).containsExactly(
                layout.slot(Topics.ORG_EVENTS, BuiltInPartitioner.partitionForKey("org-1".getBytes(StandardCharsets.UTF_8), 4)),
                layout.slot("team.org-events", BuiltInPartitioner.partitionForKey("org-1".getBytes(StandardCharsets.UTF_8), 3)));
        assertThat(layout.role(layout.slot("team.events", 0))).isEqualTo(TopicRoles.Role.USER_KEYED);
        assertThat(new TopicLayout(partitions, Map.of(), roles).epoch())
                .as("roles are not part of the epoch").isEqualTo(new TopicLayout(partitions, Map.of()).epoch());
    }
}
