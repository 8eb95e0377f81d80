package ai.kull.sync.events.payload;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Processing state of a shoot, lowercase on the wire as the seed clients send and expect it. */
public enum ShootStatus {
    @JsonProperty("queued") QUEUED,
    @JsonProperty("processing") PROCESSING,
    @JsonProperty("completed") COMPLETED,
    @JsonProperty("failed") FAILED
}
