package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * First frame of every session (seed 004).
 *
 * @param heartbeatIntervalMs how often the client should PING
 * @param resumed             whether the session continued from the client's cursor without loss
 * @param cursor              the current resume position, to send back in GET_PENDING after a reconnect
 * @param maxMessageBytes     the largest client message this gateway accepts (a bigger one closes the session
 *                            with 1009); absent from gateways that predate it
 * @param inboundRate         client frames per second this session may send on average; more are answered
 *                            ERROR RATE_LIMITED (absent from gateways that predate it)
 * @param inboundBurst        client frames this session may send at once above the average (absent likewise)
 */
public record ConnectionEstablished(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String connectionId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String deviceId,
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String pod,
        @NotNull @Positive Long heartbeatIntervalMs,
        @NotNull Boolean resumed,
        @Size(max = Limits.CURSOR_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CURSOR_PATTERN, message = Limits.CURSOR_PATTERN_MESSAGE) String cursor,
        @Positive Integer maxMessageBytes,
        @Positive Double inboundRate,
        @Positive Integer inboundBurst)
        implements Payload {
}
