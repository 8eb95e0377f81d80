package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Topics;
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
 * new id, partitions added, another topic list) is recognised and answered with RESYNC_REQUIRED.
 */
public final class TopicLayout {

    /** Broadcasts (prompt changes) are keyed by promptId, so they land on any partition of this topic. */
    static final String BROADCAST_TOPIC = Topics.PROMPT_CHANGES;
    /** Topics whose user-scoped records are keyed by userId, so the default partitioner picks the partition. */
    private static final List<String> USER_KEYED = List.of(Topics.SHOOT_PROGRESS, Topics.CREDIT_UPDATES,
            Topics.USER_EVENTS);

    private final Map<String, Integer> firstSlot = new HashMap<>();
    private final Map<String, Integer> partitionCount;
    private final List<TopicPartition> bySlot = new ArrayList<>();
    private final String epoch;

    /** @param topicIds each topic's id: a recreated topic has a new one */
    public TopicLayout(Map<String, Integer> partitionCounts, Map<String, String> topicIds) {
        this.partitionCount = new TreeMap<>(partitionCounts);
        CRC32 crc = new CRC32();
        this.partitionCount.forEach((topic, partitions) -> {
            firstSlot.put(topic, bySlot.size());
            for (int p = 0; p < partitions; p++) {
                bySlot.add(new TopicPartition(topic, p));
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

    /**
     * The slots a session of {@code userId} receives records from, besides organization channels: the
     * partition its userId maps to in each user-keyed topic, and every partition of the broadcast topic
     * (which also carries prompt changes for listed users). Sorted.
     */
    public int[] userSlots(String userId) {
        List<Integer> slots = new ArrayList<>();
        for (String topic : USER_KEYED) {
            int slot = keySlot(topic, userId);
            if (slot >= 0) {
                slots.add(slot);
            }
        }
        Integer broadcastFirst = firstSlot.get(BROADCAST_TOPIC);
        if (broadcastFirst != null) {
            for (int p = 0; p < partitionCount.get(BROADCAST_TOPIC); p++) {
                slots.add(broadcastFirst + p);
            }
        }
        return slots.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }

    /** The slot organization {@code orgId}'s events land in, or -1 when there is no org topic. */
    public int orgSlot(String orgId) {
        return keySlot(Topics.ORG_EVENTS, orgId);
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
