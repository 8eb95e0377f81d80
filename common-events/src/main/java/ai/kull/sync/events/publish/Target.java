package ai.kull.sync.events.publish;

import ai.kull.sync.events.Limits;
import ai.kull.sync.events.Scope;
import ai.kull.sync.events.Topics;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Who receives a {@link TeamEvent}, expressed with the routing the gateways already apply (scope, record key and
 * the target/origin device headers), and the topic that carries it: user-addressed events on
 * {@link Topics#USER_EVENTS} (key userId), organization events on {@link Topics#ORG_EVENTS} (key orgId), events for
 * everyone on {@link Topics#PROMPT_CHANGES}, the topic the gateways read as broadcast (every partition on resume),
 * keyed by the publisher's ordering key so one publisher's broadcasts stay in order.
 *
 * @param scope        how a gateway routes the record
 * @param key          the record key: userId, orgId, or the ordering key of a broadcast
 * @param targetDevice only this device of the user, or null
 * @param originDevice every device of the user but this one, or null
 */
public record Target(
        Scope scope,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String key,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String targetDevice,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String originDevice) {

    /** Every device of the user. */
    public static Target user(String userId) {
        return new Target(Scope.USER, userId, null, null);
    }

    /** Only that device of the user. */
    public static Target device(String userId, String deviceId) {
        return new Target(Scope.USER, userId, deviceId, null);
    }

    /** Every device of the user except that one (typically the one that caused the event). */
    public static Target userExceptDevice(String userId, String deviceId) {
        return new Target(Scope.USER, userId, null, deviceId);
    }

    /** Every session subscribed to the organization. */
    public static Target org(String orgId) {
        return new Target(Scope.ORG, orgId, null, null);
    }

    /** Every connected session; {@code orderingKey} keeps the events with the same key in order. */
    public static Target everyone(String orderingKey) {
        return new Target(Scope.BROADCAST, orderingKey, null, null);
    }

    /** The topic whose partitions the gateways read for this kind of recipient. */
    public String topic() {
        return switch (scope) {
            case USER -> Topics.USER_EVENTS;
            case ORG -> Topics.ORG_EVENTS;
            case BROADCAST -> Topics.PROMPT_CHANGES;
        };
    }
}
