package ai.kull.sync.events.payload;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Keepalive answer.
 *
 * @param timestamp the PING's timestamp when it had one, else the responder's epoch milliseconds
 */
public record Pong(@NotNull @PositiveOrZero Long timestamp) implements Payload {
}
