package ai.kull.sync.events.payload;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code data} of an envelope or the {@code payload} of a client message. Sealed so the set of
 * payloads, and with it the generated schemas, is known at compile time. Absent optional fields are
 * omitted whichever ObjectMapper writes them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Payload
        permits Ack, AdminSessionUpdate, ConnectionEstablished, CreditUpdate, DeviceConnection, ErrorPayload,
        PendingCheckComplete, PendingRequest, Ping, PodHeartbeat, Pong, PromptChange, ResyncRequired, Received, ShootProgress,
        Subscription {
}
