package ai.kull.sync.publish.rest;

import ai.kull.sync.events.Limits;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.publish.Target;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.List;

/**
 * Who receives an event: exactly one of {@code userId} (all the user's devices; with {@code deviceId} only that
 * device, with {@code exceptDeviceId} all but that one), {@code orgId} (sessions that joined the organization) or
 * {@code everyone: true} (every connected session).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Recipient(
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String deviceId,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String exceptDeviceId,
        @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String orgId,
        Boolean everyone) {

    /** What is wrong with the combination, each named under {@code field} (e.g. {@code events[2].to}). */
    public List<Violation> problems(String field) {
        List<Violation> problems = new ArrayList<>();
        int named = (userId != null ? 1 : 0) + (orgId != null ? 1 : 0) + (Boolean.TRUE.equals(everyone) ? 1 : 0);
        if (named != 1) {
            problems.add(new Violation(field, "must name exactly one of userId, orgId or everyone: true"));
        }
        if (everyone != null && !everyone) {
            problems.add(new Violation(field + ".everyone", "must be true when present"));
        }
        if (userId == null && deviceId != null) {
            problems.add(new Violation(field + ".deviceId", "only with userId"));
        }
        if (userId == null && exceptDeviceId != null) {
            problems.add(new Violation(field + ".exceptDeviceId", "only with userId"));
        }
        if (deviceId != null && exceptDeviceId != null) {
            problems.add(new Violation(field + ".exceptDeviceId", "not together with deviceId"));
        }
        return problems;
    }

    /** The routing this recipient means; call only once {@link #problems} is empty. */
    public Target target(String broadcastOrderingKey) {
        if (orgId != null) {
            return Target.org(orgId);
        }
        if (userId == null) {
            return Target.everyone(broadcastOrderingKey);
        }
        if (deviceId != null) {
            return Target.device(userId, deviceId);
        }
        return exceptDeviceId != null ? Target.userExceptDevice(userId, exceptDeviceId) : Target.user(userId);
    }
}
