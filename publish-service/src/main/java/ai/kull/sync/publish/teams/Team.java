package ai.kull.sync.publish.teams;

import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.codec.Violation;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A team that publishes through the API: the event types it owns (exact names, or prefixes written {@code NAME_*})
 * and the JSON Schemas it registered for some of them.
 *
 * @param types          what it owns, as written in the teams file
 * @param schemas        registered schema per exact type name; other owned types get the envelope checks only
 * @param eventsPerSecond its rate limit
 * @param burstEvents    how many events above the rate it may send at once
 */
public record Team(String name, List<String> types, Map<String, RegisteredSchema> schemas, int eventsPerSecond,
                   int burstEvents) {

    /** A registered schema: its JSON (shown to operators) and the compiled validator. */
    public record RegisteredSchema(JsonNode json, JsonSchema validator) {
    }

    /** Whether this team may publish {@code type}: an exact name it owns or one under a prefix it owns. */
    public boolean owns(String type) {
        if (type == null || TeamEvent.isContractType(type)) {
            return false;
        }
        return types.stream().anyMatch(owned -> covers(owned, type));
    }

    /** Whether an owned entry (a name, or a prefix ending in *) covers the type name {@code type}. */
    static boolean covers(String owned, String type) {
        return owned.endsWith("*") ? type.startsWith(owned.substring(0, owned.length() - 1)) : owned.equals(type);
    }

    /** The schema's violations of {@code data}, each named by its path under {@code field}; empty without a schema. */
    public List<Violation> check(String type, JsonNode data, String field) {
        RegisteredSchema schema = schemas.get(type);
        if (schema == null) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>();
        schema.validator().validate(data).forEach(message -> {
            String path = message.getInstanceLocation().toString(); // "$", "$.title", "$.items[2]"
            String where = field + path.substring(1);
            if (message.getProperty() != null && "required".equals(message.getType())) {
                where = where + "." + message.getProperty();
            }
            violations.add(new Violation(where, "schema " + message.getType() + ": " + withoutLocation(message.getMessage())));
        });
        violations.sort(java.util.Comparator.comparing(Violation::field).thenComparing(Violation::reason));
        return violations;
    }

    /** The registered schema of {@code type}, if any. */
    public Optional<RegisteredSchema> schema(String type) {
        return Optional.ofNullable(schemas.get(type));
    }

    /** "$.title: must be at least 1 characters long" -> "must be at least 1 characters long". */
    private static String withoutLocation(String message) {
        int colon = message.indexOf(": ");
        return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
    }
}
