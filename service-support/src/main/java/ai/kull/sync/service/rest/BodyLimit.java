package ai.kull.sync.service.rest;

import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.error.ApiError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Refuses a declared-too-large body with a JSON 413 before it is read. Bodies without a Content-Length
 * (chunked) are cut by {@code quarkus.http.limits.max-body-size} (plain 413) and, below that, by
 * {@link RequestBodies}.
 */
@ApplicationScoped
public class BodyLimit {

    private final int maxBytes;

    public BodyLimit(ServiceConfig config) {
        this.maxBytes = config.maxBodyBytes();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && isOver(length)) {
                ApiError error = ApiError.tooLarge(maxBytes);
                Map<String, Object> body = Map.of("code", error.code(), "reason", error.getMessage(),
                        "maxBytes", maxBytes);
                ctx.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(Json.encode(body));
            } else {
                ctx.next();
            }
        });
    }

    private boolean isOver(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
