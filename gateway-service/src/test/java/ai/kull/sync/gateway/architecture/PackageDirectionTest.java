package ai.kull.sync.gateway.architecture;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The gateway's packages follow a record's path and depend one way only: the entry points (websocket, sse, rest,
 * admin, health) on protocol or routing, protocol on routing, routing on replay and presence, presence on session, session on auth; admission beside them; all
 * of them on messaging (Kafka only), and everything on config and metrics, which depend on nothing of ours.
 * A class that depends against this direction, or a package cycle, fails the build. The printout of
 * {@link #printThePackageGraph()} is the graph as it is (see the report of the build, or docs/design.md).
 */
class PackageDirectionTest {

    private static final String ROOT = "ai.kull.sync.gateway";

    /** Each package and the gateway packages it may use. The order is the direction: only later ones. */
    static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

    static {
        // The transports: WebSocket, and SSE where WebSocket is blocked; both speak the protocol.
        MAY_USE.put("websocket", List.of("protocol", "session", "config", "metrics"));
        MAY_USE.put("sse", List.of("protocol", "session", "auth", "messaging", "config", "metrics"));
        MAY_USE.put("rest", List.of("presence", "session", "auth", "config", "metrics"));
        // The admin API reads the whole path (router, presence, sessions) and is read by none of it; presence
        // reaches its heartbeat figures through the PodFigures interface it owns, which admin implements.
        MAY_USE.put("admin", List.of("routing", "replay", "presence", "admission", "session", "auth", "acks", "messaging", "config", "metrics"));
        MAY_USE.put("health", List.of("acks", "messaging", "config", "metrics"));
        // The sync protocol, whatever the transport: who may open a session, what each client frame does.
        MAY_USE.put("protocol", List.of("routing", "presence", "admission", "session", "auth", "acks", "messaging", "config", "metrics"));
        MAY_USE.put("routing", List.of("replay", "presence", "session", "auth", "acks", "messaging", "config", "metrics"));
        // A session's replay (window, log, catch-up) and the delivery rule: used by routing, using sessions.
        MAY_USE.put("replay", List.of("session", "auth", "messaging", "config", "metrics"));
        MAY_USE.put("presence", List.of("session", "auth", "messaging", "config", "metrics"));
        MAY_USE.put("admission", List.of("config", "metrics"));
        MAY_USE.put("session", List.of("auth", "config", "metrics"));
        MAY_USE.put("auth", List.of("config"));
        // Acknowledged cursors and remembered client message ids: fed by routing, read by the entry points.
        MAY_USE.put("acks", List.of("messaging", "config", "metrics"));
        MAY_USE.put("messaging", List.of("config", "metrics"));
        MAY_USE.put("config", List.of());
        MAY_USE.put("metrics", List.of());
    }

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void dependenciesRunOneWay() {
        Architectures.LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String pkg : MAY_USE.keySet()) {
            layers = layers.layer(pkg).definedBy(ROOT + "." + pkg + "..");
        }
        for (Map.Entry<String, List<String>> pkg : MAY_USE.entrySet()) {
            layers = pkg.getValue().isEmpty()
                    ? layers.whereLayer(pkg.getKey()).mayNotAccessAnyLayer()
                    : layers.whereLayer(pkg.getKey()).mayOnlyAccessLayers(pkg.getValue().toArray(String[]::new));
        }
        layers.check(GATEWAY);
    }

    /** A new package must take its place in {@link #MAY_USE}, or it would be outside every rule. */
    @Test
    void everyClassIsInAPackageWithAPlace() {
        classes().should().resideInAnyPackage(MAY_USE.keySet().stream().map(p -> ROOT + "." + p + "..")
                .toArray(String[]::new)).check(GATEWAY);
    }

    /** The package graph as the classes have it: {@code package -> packages it uses}, one line each. */
    @Test
    void printThePackageGraph() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (JavaClass type : GATEWAY) {
            String from = packageOf(type);
            graph.computeIfAbsent(from, p -> new TreeSet<>());
            for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
                String to = packageOf(dependency.getTargetClass());
                if (to != null && !to.equals(from)) {
                    graph.get(from).add(to);
                }
            }
        }
        StringBuilder text = new StringBuilder("gateway package graph (package -> packages it uses):\n");
        graph.forEach((from, to) -> text.append("  ").append(from).append(" -> ").append(String.join(" ", to)).append('\n'));
        System.out.print(text);
    }

    private static String packageOf(JavaClass type) {
        String name = type.getPackageName();
        if (!name.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = name.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
