package ai.kull.sync.service.rest;

import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.error.ApiError;
import ai.kull.sync.service.error.KafkaUnavailable;
import ai.kull.sync.service.metrics.RequestMetrics;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every refusal as JSON in the one error shape of the platform, the same as the gateway's REST errors and the
 * data of its WebSocket ERROR frame: {@code {"code": UPPER_SNAKE_CODE, "reason": "in words", "violations":
 * [{"field", "reason"}]}} for bad input (400), the same shape without violations for the other statuses, and
 * Retry-After on 503. Clients switch on {@code code}; {@code reason} is for humans.
 */
public class ErrorMappers {

    private final RequestMetrics metrics;
    private final ServiceConfig config;

    public ErrorMappers(RequestMetrics metrics, ServiceConfig config) {
        this.metrics = metrics;
        this.config = config;
    }

    @ServerExceptionMapper
    public Response invalid(InvalidEventException e, UriInfo uri) {
        metrics.rejected(endpoint(uri), e.errorCode());
        return json(Response.status(400), e.errorCode(), e.getMessage(), e.violations(), Map.of());
    }

    @ServerExceptionMapper
    public Response refused(ApiError e, UriInfo uri) {
        metrics.rejected(endpoint(uri), e.code());
        Response.ResponseBuilder response = Response.status(e.status());
        if (e.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (e.extra().get(ApiError.RETRY_AFTER_SECONDS) instanceof Number seconds) {
            response.header(HttpHeaders.RETRY_AFTER, seconds.longValue()); // 429, or a 503 that says more
        }
        return json(response, e.code(), e.getMessage(), null, e.extra());
    }

    @ServerExceptionMapper
    public Response unavailable(KafkaUnavailable e, UriInfo uri) {
        metrics.unavailable(endpoint(uri));
        return json(Response.status(503).header(HttpHeaders.RETRY_AFTER, config.retryAfterSeconds()),
                "UNAVAILABLE", e.getMessage(), null, Map.of("retryAfterSeconds", config.retryAfterSeconds()));
    }

    static Response json(Response.ResponseBuilder response, String code, String reason, List<Violation> violations,
                         Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("reason", reason);
        if (violations != null) {
            body.put("violations", violations);
        }
        body.putAll(extra);
        return response.type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    /** Write endpoints by path (a handful); reads share one tag, so user ids never become metric labels. */
    static String endpoint(UriInfo uri) {
        String path = uri.getPath();
        return path.startsWith("/api/sync/") ? path : "read";
    }
}
