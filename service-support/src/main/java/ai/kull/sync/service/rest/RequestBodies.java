package ai.kull.sync.service.rest;

import ai.kull.sync.events.Limits;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.error.ApiError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads request bodies with the event contract's own codec, so HTTP input is held to exactly the rules of
 * the events it becomes, and every failure is an {@link InvalidEventException} naming each bad field.
 */
@ApplicationScoped
public class RequestBodies {

    private final EventCodec codec = new EventCodec();
    private final int maxBytes;

    public RequestBodies(ServiceConfig config) {
        this.maxBytes = config.maxBodyBytes();
    }

    /** The body as {@code type}, validated. */
    public <T> T read(byte[] body, Class<T> type) {
        checkSize(body);
        return codec.decode(body, type);
    }

    /**
     * A body that holds a payload plus the {@code userId} it is for (the seed's shoot-progress body): both
     * are read from the same object, and the violations of both are reported together.
     */
    public <T> UserScoped<T> readForUser(byte[] body, Class<T> payloadType) {
        checkSize(body);
        List<Violation> violations = new ArrayList<>();
        UserRef user = null;
        T payload = null;
        try {
            user = codec.decode(body, UserRef.class);
        } catch (InvalidEventException e) {
            if (isWholeMessage(e)) {
                throw e; // not JSON or not an object: the one reason there is
            }
            violations.addAll(e.violations());
        }
        try {
            payload = codec.decode(body, payloadType);
        } catch (InvalidEventException e) {
            violations.addAll(e.violations());
        }
        if (!violations.isEmpty()) {
            violations.sort(Comparator.comparing(Violation::field).thenComparing(Violation::reason));
            throw new InvalidEventException(ErrorPayload.INVALID_FIELD, violations.stream().distinct().toList());
        }
        return new UserScoped<>(user.userId(), payload);
    }

    private void checkSize(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidEventException(ErrorPayload.MALFORMED_JSON,
                    List.of(new Violation(Violation.WHOLE_MESSAGE, "empty body; expected a JSON object")));
        }
        if (body.length > maxBytes) {
            throw ApiError.tooLarge(maxBytes);
        }
    }

    private static boolean isWholeMessage(InvalidEventException e) {
        return e.violations().size() == 1 && e.violations().get(0).field().equals(Violation.WHOLE_MESSAGE);
    }

    /** A payload and the user it belongs to. */
    public record UserScoped<T>(String userId, T payload) {
    }

    /** The {@code userId} of a request body, under the same id rules as every id on the wire. */
    public record UserRef(
            @NotBlank @Size(max = Limits.ID_MAX, message = Limits.SIZE_MESSAGE)
            @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_PATTERN_MESSAGE) String userId) {
    }
}
