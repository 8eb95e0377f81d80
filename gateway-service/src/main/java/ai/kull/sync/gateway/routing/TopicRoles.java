package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.Topics;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How each event topic is keyed, which decides the partitions a session reads and so what its cursor covers:
 * a user-keyed topic (the rule) is read at the partition its userId maps to, an org topic at the partitions
 * of the session's organizations, a broadcast topic at every partition. Which sessions receive a record is
 * still decided per record by its scope header; the role only says where a session must look for what it
 * missed. Every event topic is user-keyed unless {@code gateway.kafka.org-topics} or
 * {@code gateway.kafka.broadcast-topics} name it, so a topic another team adds to
 * {@code gateway.kafka.event-topics} is resumed like the built-in ones.
 */
public final class TopicRoles {

    /** How a topic's records are keyed. */
    public enum Role {
        /** Keyed by userId: a session reads its user's partition. */
        USER_KEYED,
        /** Keyed by orgId: a session reads its organizations' partitions. */
        ORG_KEYED,
        /** Keyed by an aggregate id (e.g. promptId), so on any partition: a session reads them all. */
        BROADCAST
    }

    /** The built-in topics' roles, as the defaults of the settings state them. */
    public static final TopicRoles DEFAULT = new TopicRoles(Set.of(Topics.ORG_EVENTS), Set.of(Topics.PROMPT_CHANGES),
            List.of());

    private final Set<String> orgTopics;
    private final Set<String> broadcastTopics;
    private final List<String> ignored;

    private TopicRoles(Set<String> orgTopics, Set<String> broadcastTopics, List<String> ignored) {
        this.orgTopics = Set.copyOf(orgTopics);
        this.broadcastTopics = Set.copyOf(broadcastTopics);
        this.ignored = List.copyOf(ignored);
    }

    /**
     * The roles of the event topics as configured.
     *
     * @throws IllegalArgumentException for a configuration resume could not honour, saying what to change
     */
    public static TopicRoles of(List<String> eventTopics, List<String> orgTopics, List<String> broadcastTopics) {
        Set<String> both = new LinkedHashSet<>(orgTopics);
        both.retainAll(broadcastTopics);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("gateway.kafka.org-topics and gateway.kafka.broadcast-topics both name "
                    + both + ": a topic's records are keyed either by orgId (a session resumes from its organizations' "
                    + "partitions) or by an aggregate id (a session resumes from every partition), not both; "
                    + "name each topic in one of the two settings");
        }
        if (eventTopics.contains(Topics.PRESENCE)) {
            throw new IllegalArgumentException("gateway.kafka.event-topics names " + Topics.PRESENCE
                    + ", the presence topic every pod reads anyway; its records are not events a device resumes: "
                    + "remove it from gateway.kafka.event-topics");
        }
        List<String> ignored = new ArrayList<>();
        for (String topic : concat(orgTopics, broadcastTopics)) {
            if (!eventTopics.contains(topic)) {
                ignored.add(topic);
            }
        }
        return new TopicRoles(Set.copyOf(orgTopics), Set.copyOf(broadcastTopics), ignored);
    }

    public Role of(String topic) {
        if (orgTopics.contains(topic)) {
            return Role.ORG_KEYED;
        }
        return broadcastTopics.contains(topic) ? Role.BROADCAST : Role.USER_KEYED;
    }

    /** Topics given a role that are not among the event topics: their role has no effect (a typo, or a topic left out). */
    public List<String> ignored() {
        return ignored;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
