package ai.kull.sync.publish.rest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;

import java.util.List;

/** A batch: {@code {"events":[...]}}, validated whole before any of it is published. */
public record BatchRequest(@NotEmpty List<@Valid PublishRequest> events) {
}
