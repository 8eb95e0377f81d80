package ai.kull.sync.service.error;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request refused with a status, a stable error code and a reason; extra fields (e.g. the current version
 * of a stale credit update) are added to the JSON body next to them. Answered as JSON by the REST layer.
 */
public class ApiError extends RuntimeException {

    /** An extra field that also becomes the Retry-After header of the answer. */
    public static final String RETRY_AFTER_SECONDS = "retryAfterSeconds";

    private final int status;
    private final String code;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    public ApiError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public ApiError with(String field, Object value) {
        extra.put(field, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> extra() {
        return extra;
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "UNAUTHORIZED", message);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "FORBIDDEN", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "NOT_FOUND", message);
    }

    public static ApiError conflict(String code, String message) {
        return new ApiError(409, code, message);
    }

    public static ApiError tooLarge(int maxBytes) {
        return new ApiError(413, "BODY_TOO_LARGE", "request body must be at most " + maxBytes + " bytes")
                .with("maxBytes", maxBytes);
    }
}
