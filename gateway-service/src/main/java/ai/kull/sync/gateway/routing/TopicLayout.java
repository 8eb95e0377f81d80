package ai.kull.sync.gateway.routing;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The event topics as this pod found them at start. Each partition gets a small number, its slot, which
 * cursors use; the epoch names the layout, so a cursor made under another one (a topic recreated with a
 * new id, partitions added, another topic list) is recognised and answered with RESYNC_REQUIRED. Which
 * slots a session reads follows from each topic's {@link TopicRoles role}; the roles are not part of the epoch
 * (a cursor that lacks a slot the session now reads is answered with RESYNC_REQUIRED anyway).
 */
public final class TopicLayout {

    private final Map<String, Integer> firstSlot = new HashMap<>();
    private final Map<String, Integer> partitionCount;
    private final List<TopicPartition> bySlot = new ArrayList<>();
    private final TopicRoles roles;
    /** Per slot, its topic's role. */
    private final List<TopicRoles.Role> roleBySlot = new ArrayList<>();
    private final String epoch;

    /** The layout with the built-in topics' roles ({@link TopicRoles#DEFAULT}). */
    public TopicLayout(Map<String, Integer> partitionCounts, Map<String, String> topicIds) {
        this(partitionCounts, topicIds, TopicRoles.DEFAULT);
    }

    /** @param topicIds each topic's id: a recreated topic has a new one */
    public TopicLayout(Map<String, Integer> partitionCounts, Map<String, String> topicIds, TopicRoles roles) {
        this.roles = roles;
        this.partitionCount = new TreeMap<>(partitionCounts);
        CRC32 crc = new CRC32();
        this.partitionCount.forEach((topic, partitions) -> {
            firstSlot.put(topic, bySlot.size());
            for (int p = 0; p < partitions; p++) {
                bySlot.add(new TopicPartition(topic, p));
                roleBySlot.add(roles.of(topic));
            }
            crc.update((topic + "/" + topicIds.get(topic) + "/" + partitions + ";").getBytes(StandardCharsets.UTF_8));
        });
        this.epoch = Long.toString(crc.getValue(), 36);
    }

    public String epoch() {
        return epoch;
    }

    public int slotCount() {
        return bySlot.size();
    }

    public TopicPartition partitionOf(int slot) {
        return bySlot.get(slot);
    }

    /** The slot of a partition, or -1 when it is not an event topic partition known at start (presence, say). */
    public int slot(String topic, int partition) {
        Integer first = firstSlot.get(topic);
        return first == null || partition >= partitionCount.get(topic) ? -1 : first + partition;
    }

    /** The role of the slot's topic. */
    public TopicRoles.Role role(int slot) {
        return roleBySlot.get(slot);
    }

    /**
     * The slots a session of {@code userId} receives records from, besides organization channels: the
     * partition its userId maps to in each user-keyed topic, and every partition of each broadcast topic
     * (which also carries prompt changes for listed users). Sorted.
     */
    public int[] userSlots(String userId) {
        List<Integer> slots = new ArrayList<>();
        partitionCount.forEach((topic, partitions) -> {
            switch (roles.of(topic)) {
                case USER_KEYED -> slots.add(keySlot(topic, userId));
                case BROADCAST -> {
                    for (int p = 0; p < partitions; p++) {
                        slots.add(firstSlot.get(topic) + p);
                    }
                }
                case ORG_KEYED -> { }
            }
        });
        return slots.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }

    /** The slots organization {@code orgId}'s events land in, one per org topic; none when there is no org topic. */
    public int[] orgSlots(String orgId) {
        List<Integer> slots = new ArrayList<>();
        partitionCount.keySet().forEach(topic -> {
            if (roles.of(topic) == TopicRoles.Role.ORG_KEYED) {
                slots.add(keySlot(topic, orgId));
            }
        });
        return slots.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private int keySlot(String topic, String key) {
        Integer count = partitionCount.get(topic);
        if (count == null) {
            return -1;
        }
        // Kafka's default partitioner for keyed records, which EventPublisher relies on.
        int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % count;
        return firstSlot.get(topic) + partition;
    }
}
