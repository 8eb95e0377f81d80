package ai.kull.sync.gateway.messaging;

import java.util.Map;

/**
 * The event topics as the brokers described them.
 *
 * @param partitions each topic's partition count
 * @param ids        each topic's id: a recreated topic has a new one
 */
public record EventTopics(Map<String, Integer> partitions, Map<String, String> ids) {

    public EventTopics {
        partitions = Map.copyOf(partitions);
        ids = Map.copyOf(ids);
    }
}
