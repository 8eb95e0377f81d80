package ai.kull.sync.events.payload;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What happened to an admin session. Seed 002 names an AdminAction enum without listing its values;
 * these are our definition.
 */
public enum AdminAction {
    @JsonProperty("started") STARTED,
    @JsonProperty("updated") UPDATED,
    @JsonProperty("ended") ENDED,
    @JsonProperty("revoked") REVOKED
}
