package ai.kull.sync.process.stack;

import ai.kull.sync.process.Freshness;
import ai.kull.sync.process.ProcessFailure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one definition of how each process of the stack starts: the broker (local-kafka's {@code LocalKafkaMain}
 * from its {@code classpath.txt}), a gateway pod, and the domain services (their packaged
 * {@code quarkus-run.jar}). The local stack ({@code deploy/local/stack}), the system tests, the clients' tests
 * and the benchmark all start processes from here and only add their own settings.
 */
public final class StackApps {

    /** The line the broker prints once it accepts clients. */
    public static final String BROKER_READY = "LOCAL_KAFKA_READY";
    /** The domain services, by module name, in the order they start. */
    public static final List<String> SERVICES = List.of("credit-service", "shoot-service", "prompt-service",
            "publish-service");

    /** The local stack's JWT secret (tokens signed with it are accepted; never used outside local development). */
    public static final String LOCAL_JWT_SECRET = "local-dev-secret-change-me-0123456789";
    /** Local development: a page on localhost or 127.0.0.1 at any port may call the HTTP APIs (CORS). */
    public static final String LOCAL_ORIGINS = "/https?://(localhost|127[.]0[.]0[.]1)(:[0-9]+)?/";
    /** The publish API's example team (publish-service/src/main/resources/teams-example.json) and its local key. */
    public static final String LOCAL_PUBLISH_TEAM_KEYS = "notifications=local-notifications-key";

    private final Path root;
    private final boolean requireFresh;
    private final Path copies;

    private StackApps(Path root, boolean requireFresh, Path copies) {
        this.root = root;
        this.requireFresh = requireFresh;
        this.copies = copies;
    }

    /** The apps where the build put them under {@code root}; a jar older than its sources is refused ({@link Freshness}). */
    public static StackApps of(Path root) {
        return new StackApps(root, true, null);
    }

    /** As this, but a stale artifact is only reported on stderr (a test run while its sources are being edited). */
    public StackApps allowingStale() {
        return new StackApps(root, false, copies);
    }

    /**
     * As this, but every app runs from a copy under {@code dir}, so a rebuild in the same checkout while it runs
     * (another build, another test) cannot pull the jars from under a starting process.
     */
    public StackApps copiedTo(Path dir) {
        return new StackApps(root, requireFresh, dir);
    }

    public Path root() {
        return root;
    }

    /** The broker on {@code port}, its data in {@code dataDir}. */
    public AppLaunch broker(int port, Path dataDir) {
        Path classpathFile = checked("local-kafka", root.resolve("local-kafka/target/classpath.txt"));
        Path classes = copy(root.resolve("local-kafka/target/classes"), "local-kafka-classes");
        return new AppLaunch("kafka", AppLaunch.Kind.BROKER, port, "512m",
                List.of("-cp", classes + ":" + read(classpathFile).trim(), "ai.kull.sync.kafka.local.LocalKafkaMain"))
                .env("KAFKA_PORT", String.valueOf(port))
                .env("KAFKA_DATA_DIR", dataDir.toString());
    }

    /** A gateway pod named {@code podId} on {@code port}, verifying JWTs signed with {@code jwtSecret}. */
    public AppLaunch gateway(String podId, int port, String bootstrap, String jwtSecret) {
        return quarkusApp("gateway-service", podId, AppLaunch.Kind.GATEWAY, port, bootstrap)
                .env("GATEWAY_POD_ID", podId)
                .env("GATEWAY_AUTH_JWT_SECRET", jwtSecret);
    }

    /**
     * A domain service ({@link #SERVICES}) on {@code port}; users' reads of their own state are checked against
     * {@code jwtSecret}. The publish service gets the example teams file (its keys come from the caller).
     */
    public AppLaunch service(String module, int port, String bootstrap, String jwtSecret) {
        if (!SERVICES.contains(module)) {
            throw new IllegalArgumentException("no service " + module + "; known: " + String.join(", ", SERVICES));
        }
        AppLaunch service = quarkusApp(module, module, AppLaunch.Kind.SERVICE, port, bootstrap)
                .env("SYNC_SERVICE_JWT_SECRET", jwtSecret);
        if (module.equals("publish-service")) {
            service.env("PUBLISH_TEAMS_FILE", root.resolve("publish-service/src/main/resources/teams-example.json").toString());
        }
        return service;
    }

    /**
     * Local development's conveniences, never a test's or production's: the seeds' raw {@code userId[:deviceId]}
     * dev tokens on the gateways, writes without a credential on credit/shoot/prompt, CORS for pages on localhost
     * at any port (the live console, a web app's dev server), and the example publish team's local key.
     */
    public static AppLaunch localDevelopment(AppLaunch app) {
        switch (app.kind()) {
            case GATEWAY -> app.env("GATEWAY_AUTH_DEV_TOKENS", "true").env("GATEWAY_CORS_ORIGINS", LOCAL_ORIGINS);
            case SERVICE -> {
                app.env("QUARKUS_HTTP_CORS_ORIGINS", LOCAL_ORIGINS);
                if (app.name().equals("publish-service")) {
                    app.env("PUBLISH_TEAM_KEYS", LOCAL_PUBLISH_TEAM_KEYS);
                } else {
                    app.env("SYNC_SERVICE_ALLOW_ANONYMOUS", "true");
                }
            }
            case BROKER -> {
                // nothing to relax
            }
        }
        return app;
    }

    /**
     * An operator's token for the console's ops view and the admin API: an HS256 JWT signed with {@code secret},
     * groups ["sync-admin"] (the gateway's default admin role), valid 12 hours. Dev tokens never grant admin.
     */
    public static String adminToken(String secret, Instant now) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = base64.encodeToString(("{\"sub\":\"local-operator\",\"groups\":[\"sync-admin\"],\"iat\":"
                + now.getEpochSecond() + ",\"exp\":" + (now.getEpochSecond() + 43_200) + "}").getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.UTF_8));
            return header + "." + payload + "." + base64.encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Why any artifact the given processes need is missing or older than its sources, if one is. */
    public Optional<String> staleness(List<String> modules) {
        return modules.stream()
                .map(module -> Freshness.staleness(root, module, module.equals("local-kafka")
                        ? root.resolve("local-kafka/target/classpath.txt") : Freshness.quarkusJar(root, module)))
                .flatMap(Optional::stream)
                .findFirst();
    }

    private AppLaunch quarkusApp(String module, String name, AppLaunch.Kind kind, int port, String bootstrap) {
        Path app = checked(module, Freshness.quarkusJar(root, module)).getParent();
        Path jar = copy(app, module).resolve("quarkus-run.jar");
        return new AppLaunch(name, kind, port, "256m", List.of("-jar", jar.toString()))
                .env("HTTP_PORT", String.valueOf(port))
                .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    }

    private Path checked(String module, Path artifact) {
        if (requireFresh) {
            return Freshness.requireFresh(root, module, artifact);
        }
        Freshness.staleness(root, module, artifact).ifPresent(why -> {
            if (!Files.exists(artifact)) {
                throw new ProcessFailure(why + ": build with ./mvnw -B -DskipTests package");
            }
            System.err.println("[stack] warning: " + why);
        });
        return artifact;
    }

    /** {@code source} itself, or (with {@link #copiedTo}) its copy under the copies' directory, made once. */
    private Path copy(Path source, String as) {
        if (copies == null) {
            return source;
        }
        Path target = copies.resolve(as);
        if (Files.exists(target)) {
            return target;
        }
        Path partial = copies.resolve(as + ".partial");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path to = partial.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("copying " + source + " to " + target, e);
        }
        return target;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
