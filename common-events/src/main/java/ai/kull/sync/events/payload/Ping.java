package ai.kull.sync.events.payload;

import jakarta.validation.constraints.PositiveOrZero;

/**
 * Keepalive; seed clients send it without a payload.
 *
 * @param timestamp sender's epoch milliseconds, echoed in the PONG to measure round trips
 */
public record Ping(@PositiveOrZero Long timestamp) implements Payload {
}
