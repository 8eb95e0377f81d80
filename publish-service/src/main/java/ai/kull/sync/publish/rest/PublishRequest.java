package ai.kull.sync.publish.rest;

import ai.kull.sync.events.Limits;
import ai.kull.sync.events.TeamEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * One event as a team sends it: {@code {"type","to":{...},"data":{...},"idempotencyKey"}}.
 *
 * @param type           an event type the team owns (UPPER_SNAKE_CASE)
 * @param to             who receives it
 * @param data           the event's JSON object, delivered as the envelope's {@code data}
 * @param idempotencyKey the team's key for this event: a retry with the same key (and the same event) publishes
 *                       nothing new and answers the first event's id; optional, but without it a retry may deliver
 *                       twice
 */
public record PublishRequest(
        @NotNull @Size(max = TeamEvent.TYPE_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = TeamEvent.TYPE_PATTERN, message = TeamEvent.TYPE_PATTERN_MESSAGE) String type,
        @NotNull @Valid Recipient to,
        @NotNull ObjectNode data,
        @Size(max = Limits.CLIENT_ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CLIENT_ID_PATTERN, message = Limits.CLIENT_ID_PATTERN_MESSAGE) String idempotencyKey) {

    /** The request as hashed for its idempotency key: the key itself is not part of what it names. */
    public PublishRequest withoutKey() {
        return new PublishRequest(type, to, data, null);
    }
}
