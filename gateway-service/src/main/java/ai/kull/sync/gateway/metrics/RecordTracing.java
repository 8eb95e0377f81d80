package ai.kull.sync.gateway.metrics;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * One OpenTelemetry span per routed record that carries a {@code traceparent} header, a child of the span
 * that published it (a domain service's HTTP request), with the number of this pod's sessions it reached.
 * Off (nothing parsed, nothing allocated) unless the OpenTelemetry SDK is enabled, and for records without the
 * header.
 */
@Singleton
public class RecordTracing {

    /** Attribute: sessions of this pod the record was handed to. */
    public static final String SESSIONS_REACHED = "sync.sessions_reached";
    public static final String EVENT_ID = "sync.event_id";
    public static final String EVENT_TYPE = "sync.event_type";

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(W3CTraceContextPropagator.getInstance().fields().iterator().next());
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final Tracer tracer;
    private final boolean enabled;

    public RecordTracing(Tracer tracer, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean sdkDisabled) {
        this.tracer = tracer;
        this.enabled = !sdkDisabled;
    }

    /**
     * @param traceparent the record's {@code traceparent} header, or null
     * @return the started span, or null when there is nothing to trace
     */
    public Span started(String traceparent, String topic, String eventId, String type) {
        if (!enabled || traceparent == null) {
            return null;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
        return tracer.spanBuilder("route " + topic)
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", topic)
                .setAttribute(EVENT_ID, eventId == null ? "" : eventId)
                .setAttribute(EVENT_TYPE, GatewayMetrics.typeLabel(type))
                .startSpan();
    }

    /** Ends a span from {@link #started}; does nothing for null. */
    public void ended(Span span, int sessionsReached) {
        if (span != null) {
            span.setAttribute(SESSIONS_REACHED, sessionsReached);
            span.end();
        }
    }
}
