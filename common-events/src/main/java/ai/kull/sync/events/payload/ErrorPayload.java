package ai.kull.sync.events.payload;

import ai.kull.sync.events.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * An ERROR frame (seed 004). Clients switch on {@code code}, which is stable; {@code reason} is for humans.
 */
public record ErrorPayload(
        @NotBlank @Size(max = Limits.CODE_MAX, message = Limits.SIZE_MESSAGE)
        @Pattern(regexp = Limits.CODE_PATTERN, message = Limits.CODE_PATTERN_MESSAGE) String code,
        @NotBlank @Size(max = Limits.REASON_MAX, message = Limits.SIZE_MESSAGE) String reason) implements Payload {

    /** The frame is not JSON. */
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    /** The frame's type is not a known message type, or not one a client may send. */
    public static final String UNKNOWN_TYPE = "UNKNOWN_TYPE";
    /** A field is missing, of the wrong JSON type or out of bounds. */
    public static final String INVALID_FIELD = "INVALID_FIELD";
    /** The client sends faster than allowed. */
    public static final String RATE_LIMITED = "RATE_LIMITED";
    /** No valid credential came with the request (missing, expired, forged or malformed token). */
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    /** The client may not do this (e.g. subscribe to another organization). */
    public static final String FORBIDDEN = "FORBIDDEN";
}
