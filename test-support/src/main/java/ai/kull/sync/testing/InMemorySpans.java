package ai.kull.sync.testing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTestProfile;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * The spans the application under test exports, kept in memory: Quarkus hands finished spans to every SpanExporter
 * bean, and test-support is a bean archive (META-INF/beans.xml), so a test injects {@code InMemorySpanExporter}.
 */
public class InMemorySpans {

    /** The profile of a tracing test: the OpenTelemetry SDK on (off in tests), spans exported within 50 ms. */
    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
