package ai.kull.sync.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * An event of a type another team owns (not one of the contract's {@link MessageType}s), in the envelope shape
 * devices receive: {@code {"id","type","data","timestamp","userId"|"orgId"}}, so a gateway forwards it like any
 * other event and a client hands it to the app by its type. The contract's own types cannot be sent this way:
 * no team can emit CREDIT_UPDATE, and the gateway's control messages stay the gateway's.
 *
 * @param id        unique event id (a UUID) that clients deduplicate on
 * @param data      any JSON object; its shape is the owning team's (optionally checked against its JSON Schema)
 * @param timestamp epoch milliseconds when the event happened
 * @param userId    set from a user target by the publisher
 * @param orgId     set from an organization target by the publisher
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "type", "data", "timestamp", "userId", "orgId"})
public record TeamEvent(
        @NotNull @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String id,
        @NotNull @Size(max = TYPE_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = TYPE_PATTERN, message = TYPE_PATTERN_MESSAGE) String type,
        @NotNull ObjectNode data,
        @Positive long timestamp,
        String userId,
        String orgId) {

    /** Event type names: UPPER_SNAKE_CASE, like the contract's own. */
    public static final String TYPE_PATTERN = Limits.CODE_PATTERN;
    public static final String TYPE_PATTERN_MESSAGE = Limits.CODE_PATTERN_MESSAGE;
    public static final int TYPE_MAX = Limits.CODE_MAX;

    private static final Set<String> CONTRACT_TYPES = Arrays.stream(MessageType.values())
            .map(MessageType::name).collect(Collectors.toUnmodifiableSet());

    /** A new event with a fresh id and the current time, for the publisher to address. */
    public static TeamEvent of(String type, ObjectNode data) {
        return of(UUID.randomUUID().toString(), type, data);
    }

    /** A new event with the given id (e.g. derived from an idempotency key) and the current time. */
    public static TeamEvent of(String id, String type, ObjectNode data) {
        return new TeamEvent(id, type, data, System.currentTimeMillis(), null, null);
    }

    /** Whether {@code type} is one of the contract's own message types, which no team may publish as its own. */
    public static boolean isContractType(String type) {
        return CONTRACT_TYPES.contains(type);
    }

    /** This event with the recipient field a scope and record key imply (userId for a user, orgId for an org). */
    public TeamEvent addressedTo(Scope scope, String key) {
        return switch (scope) {
            case USER -> new TeamEvent(id, type, data, timestamp, key, null);
            case ORG -> new TeamEvent(id, type, data, timestamp, null, key);
            case BROADCAST -> new TeamEvent(id, type, data, timestamp, null, null);
        };
    }
}
