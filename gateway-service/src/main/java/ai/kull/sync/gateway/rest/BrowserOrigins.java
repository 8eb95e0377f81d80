package ai.kull.sync.gateway.rest;

import ai.kull.sync.gateway.config.GatewayConfig;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.cors.CORSConfig;
import io.quarkus.vertx.http.runtime.cors.CORSFilter;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * CORS for the HTTP API a browser app calls, from the origins in {@code gateway.cors.origins} (none by default).
 * <p>
 * Quarkus' own filter ({@code quarkus.http.cors}) covers every path, WebSocket upgrades included: enabled, it refuses
 * with 403 every browser WebSocket from an origin not listed, so an app on another origin could no longer connect
 * until an operator listed it. The same filter is therefore installed on {@link #PATHS} only. An origin not allowed
 * gets 403 (preflight and request), so a browser page of another origin can neither read nor trigger anything here.
 */
@ApplicationScoped
public class BrowserOrigins {

    /**
     * The endpoints a browser app calls: device list and sync status, and the SSE fallback's streams and POSTed
     * messages (the admin API is for operators' tools: no CORS).
     */
    static final List<String> PATHS = List.of("/api/users/*", "/api/sync/*", "/sse", "/sse/*", "/api/sse/*");

    /** What the SDK sends: the bearer token; an EventSource's resume position; JSON bodies. */
    static final List<String> ALLOWED_HEADERS = List.of("Authorization", "Content-Type", "Last-Event-ID", "X-Sync-Cursor");

    static final List<String> ALLOWED_METHODS = List.of("GET", "HEAD", "POST");

    /** The retry hint of a 429/503, readable by the page. */
    static final List<String> EXPOSED_HEADERS = List.of("Retry-After");

    /** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
    static final Duration PREFLIGHT_MAX_AGE = Duration.ofMinutes(10);

    void install(@Observes Router router, GatewayConfig config) {
        CORSFilter filter = new CORSFilter(policy(config.cors().origins()));
        for (String path : PATHS) {
            router.route(path).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(filter);
        }
    }

    /** Bearer tokens, not cookies: credentials are never allowed, so a page cannot act with a user's cookies. */
    private static CORSConfig policy(Optional<List<String>> origins) {
        return new CORSConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public Optional<List<String>> origins() {
                return origins;
            }

            @Override
            public Optional<List<String>> methods() {
                return Optional.of(ALLOWED_METHODS);
            }

            @Override
            public Optional<List<String>> headers() {
                return Optional.of(ALLOWED_HEADERS);
            }

            @Override
            public Optional<List<String>> exposedHeaders() {
                return Optional.of(EXPOSED_HEADERS);
            }

            @Override
            public Optional<Duration> accessControlMaxAge() {
                return Optional.of(PREFLIGHT_MAX_AGE);
            }

            @Override
            public Optional<Boolean> accessControlAllowCredentials() {
                return Optional.of(false);
            }
        };
    }
}
