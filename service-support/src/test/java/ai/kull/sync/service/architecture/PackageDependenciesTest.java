package ai.kull.sync.service.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages of service-support follow the data path, and dependencies point one way only, from the edge
 * where a request arrives down to what everything shares:
 * <pre>
 *   rest, health         HTTP in (endpoints, credentials, bodies, error mapping), probes
 *        |
 *   publish              the write path: Idempotency-Key handling, per-key locks, bounded wait for the acks
 *        |
 *   messaging | state    Kafka out (the outgoing channel) | Kafka in (state rebuilt from the topic)
 *        |
 *   idempotency, metrics seen keys and locks; request counters
 *        |
 *   error, config        refusals (mapped to HTTP statuses at the edge) and settings
 * </pre>
 * A package may use the packages below it, never one above it; {@code messaging} and {@code state} do not know
 * each other (what is written and what is read back meet only in {@code publish}). Run alone with
 * {@code ./mvnw -B -ntp -pl service-support -am verify -Dtest=PackageDependenciesTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@AnalyzeClasses(packages = "ai.kull.sync.service", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependenciesTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("ai.kull.sync.service.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dependenciesPointDownTheDataPath = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("edge").definedBy("ai.kull.sync.service.rest..", "ai.kull.sync.service.health..")
            .layer("publish").definedBy("ai.kull.sync.service.publish..")
            .layer("messaging").definedBy("ai.kull.sync.service.messaging..")
            .layer("state").definedBy("ai.kull.sync.service.state..")
            .layer("idempotency").definedBy("ai.kull.sync.service.idempotency..")
            .layer("metrics").definedBy("ai.kull.sync.service.metrics..")
            .layer("error").definedBy("ai.kull.sync.service.error..")
            .layer("config").definedBy("ai.kull.sync.service.config..")
            .whereLayer("edge").mayNotBeAccessedByAnyLayer()
            .whereLayer("publish").mayOnlyBeAccessedByLayers("edge")
            .whereLayer("messaging").mayOnlyBeAccessedByLayers("publish")
            .whereLayer("state").mayOnlyBeAccessedByLayers("publish", "edge")
            .whereLayer("idempotency").mayOnlyBeAccessedByLayers("publish", "messaging", "state", "edge")
            .whereLayer("metrics").mayOnlyBeAccessedByLayers("publish", "messaging", "state", "edge")
            .whereLayer("error").mayOnlyBeAccessedByLayers("publish", "messaging", "state", "idempotency", "metrics", "edge")
            .whereLayer("config").mayOnlyBeAccessedByLayers("publish", "messaging", "state", "idempotency", "metrics", "edge");
}
