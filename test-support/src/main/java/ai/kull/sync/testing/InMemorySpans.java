package ai.kull.sync.testing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The spans the application under test exports, kept in memory: Quarkus hands finished spans to every SpanExporter
 * bean, and test-support is a bean archive (META-INF/beans.xml), so a test injects {@code InMemorySpanExporter}.
 */
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
