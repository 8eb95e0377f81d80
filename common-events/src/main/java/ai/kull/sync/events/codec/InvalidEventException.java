package ai.kull.sync.events.codec;

import ai.kull.sync.events.Limits;
import ai.kull.sync.events.payload.ErrorPayload;

import java.util.List;
import java.util.stream.Collectors;

/** A message failed to decode or validate; carries every field-level reason found. */
public final class InvalidEventException extends RuntimeException {

    private final String errorCode;
    private final List<Violation> violations;

    /**
     * @param errorCode  one of the {@link ErrorPayload} codes, for the ERROR frame a gateway sends back
     * @param violations at least one
     */
    public InvalidEventException(String errorCode, List<Violation> violations) {
        super(describe(violations));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid event needs at least one violation");
        }
        this.errorCode = errorCode;
        this.violations = List.copyOf(violations);
    }

    public String errorCode() {
        return errorCode;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The ERROR payload to answer a client with; the reason is cut to fit the payload's bound. */
    public ErrorPayload toErrorPayload() {
        String reason = getMessage();
        if (reason.length() > Limits.REASON_MAX) {
            reason = reason.substring(0, Limits.REASON_MAX - 3) + "...";
        }
        return new ErrorPayload(errorCode, reason);
    }

    private static String describe(List<Violation> violations) {
        return violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
    }
}
