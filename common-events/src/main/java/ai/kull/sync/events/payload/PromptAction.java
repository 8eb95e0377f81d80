package ai.kull.sync.events.payload;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happened to a marketplace prompt (seed 001), lowercase on the wire. */
public enum PromptAction {
    @JsonProperty("created") CREATED,
    @JsonProperty("updated") UPDATED,
    @JsonProperty("deleted") DELETED,
    @JsonProperty("voted") VOTED
}
