package ai.kull.sync.gateway.routing;

import ai.kull.sync.gateway.acks.MessageIds;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.messaging.EventTopics;
import ai.kull.sync.gateway.messaging.RecordHandler;
import ai.kull.sync.gateway.presence.PresenceTracker;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;

/**
 * What the consumer's records go to: event records to the {@link EventRouter}, presence records to the
 * {@link PresenceTracker} and, when they are news for devices, to the router too. Lays the event topics out
 * in slots, with each topic's {@link TopicRoles role} from the configuration, which is checked when the pod
 * starts: a configuration resume could not honour stops the start with a message saying what to change.
 */
@Startup
@Singleton
public class RecordRouting implements RecordHandler {

    private static final Logger LOG = Logger.getLogger(RecordRouting.class);

    private final EventRouter router;
    private final PresenceTracker presence;
    private final TopicRoles roles;
    private final MessageIds messageIds;

    public RecordRouting(EventRouter router, PresenceTracker presence, GatewayConfig config, MessageIds messageIds) {
        this.messageIds = messageIds;
        this.router = router;
        this.presence = presence;
        GatewayConfig.Kafka kafka = config.kafka();
        this.roles = TopicRoles.of(kafka.eventTopics(), kafka.orgTopics(), kafka.broadcastTopics());
        if (!roles.ignored().isEmpty()) {
            LOG.warnf("gateway.kafka.org-topics / broadcast-topics name %s, which are not among gateway.kafka.event-topics "
                    + "%s: their role has no effect", roles.ignored(), kafka.eventTopics());
        }
    }

    @Override
    public Map<TopicPartition, Long> start(EventTopics topics, Map<TopicPartition, Long> windowStart) {
        TopicLayout layout = new TopicLayout(topics.partitions(), topics.ids(), roles);
        long[] start = new long[layout.slotCount()];
        for (int slot = 0; slot < start.length; slot++) {
            start[slot] = windowStart.get(layout.partitionOf(slot));
        }
        long[] from = router.start(layout, start);
        Map<TopicPartition, Long> seek = new HashMap<>();
        for (int slot = 0; slot < from.length; slot++) {
            seek.put(layout.partitionOf(slot), from[slot]);
        }
        LOG.infof("event topics laid out in %d slots (layout %s)", layout.slotCount(), layout.epoch());
        return seek;
    }

    @Override
    public void event(ConsumerRecord<String, byte[]> record, long polledAt) {
        messageIds.routed(record);
        router.route(record, polledAt);
    }

    /** History rebuilds the directory only; news goes on to the user's other devices. */
    @Override
    public void presence(ConsumerRecord<String, byte[]> record, boolean history, long polledAt) {
        if (presence.apply(record, history) && !history) {
            router.route(record, polledAt);
        }
    }
}
