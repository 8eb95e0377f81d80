package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * A device of the user connected or disconnected (DEVICE_CONNECTED / DEVICE_DISCONNECTED, seed 001).
 *
 * @param connectedAt epoch milliseconds
 * @param pod         the gateway pod holding the session, so pods can expire a crashed pod's devices;
 *                    our addition, absent in seed clients' messages
 */
public record DeviceConnection(
        @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String deviceId,
        @NotBlank @Size(max = Limits.NAME_MAX, message = Limits.SIZE_MESSAGE) String platform,
        @NotBlank @Size(max = Limits.NAME_MAX, message = Limits.SIZE_MESSAGE) String deviceName,
        @NotNull @PositiveOrZero Long connectedAt,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String pod) implements Payload {
}
