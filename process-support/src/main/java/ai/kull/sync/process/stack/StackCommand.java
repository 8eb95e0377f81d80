package ai.kull.sync.process.stack;

import ai.kull.sync.process.Directories;
import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ProcessFailure;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The {@code stack} command ({@code deploy/local/stack}): {@code up} starts the broker, the gateways and the
 * services from {@link StackApps}, prints one {@code STACK_READY {json}} line, then supervises (a process that
 * exits is reported, the rest keep running) until Ctrl-C, SIGTERM or {@code stack down}. The other commands act
 * on that running {@code up} from another terminal, through its control port ({@link StackControl}).
 */
public final class StackCommand {

    static final String READY = "STACK_READY";

    private final Path root;
    private final PrintStream out;

    StackCommand(Path root, PrintStream out) {
        this.root = root;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("stack.root", ".")).toAbsolutePath().normalize();
        System.exit(new StackCommand(root, System.out).run(List.of(args)));
    }

    /** Runs a command; the exit code (0 done, 1 failed, 2 wrong usage). */
    int run(List<String> args) throws Exception {
        if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
            out.print(UpOptions.USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (command) {
                case "up" -> up(UpOptions.parse(rest, root));
                case "status", "down", "kill", "stop", "restart", "add-gateway" -> StackControl.send(root, command, rest, out);
                default -> throw new IllegalArgumentException("unknown command " + command);
            };
        } catch (IllegalArgumentException usage) {
            System.err.println("stack: " + usage.getMessage() + "\n" + UpOptions.USAGE);
            return 2;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // up

    private int up(UpOptions options) throws Exception {
        Path runDir = options.runDir;
        Path controlFile = runDir.resolve(StackControl.PORT_FILE);
        if (StackControl.answers(controlFile)) {
            System.err.println("stack: a stack already runs from " + runDir + " (stop it with: stack down --run-dir "
                    + runDir + ")");
            return 1;
        }
        if (!buildIfStale(options)) {
            return 1;
        }
        Files.createDirectories(runDir.resolve("logs"));
        if (options.fresh) {
            Directories.deleteRecursively(runDir.resolve("kafka-data"));
        }
        if (options.copyApps) {
            Directories.deleteRecursively(runDir.resolve("apps")); // copies of an earlier build
        }
        StackApps apps = StackApps.of(root);
        if (options.stale == UpOptions.Stale.WARN) {
            apps = apps.allowingStale();
        }
        if (options.copyApps) {
            apps = apps.copiedTo(runDir.resolve("apps"));
        }
        Stack stack = new Stack(runDir.resolve("logs"), options.startTimeout, this::say);
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch downAnswered = new CountDownLatch(1);
        Runnable down = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            stack.close();
            try {
                Files.deleteIfExists(controlFile);
            } catch (IOException ignored) {
                // the next up checks whether it answers
            }
            log("stopped");
        };
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!stopping.get()) {
                log("stopping");
                down.run();
            }
        }, "stack-shutdown"));
        StackApps configuredApps = apps;
        HttpServer control = StackControl.serve(stack, (name, port, env) -> {
            AppLaunch gateway = configured(configuredApps.gateway(name, port, bootstrap(stack), options.jwtSecret), options)
                    .env(env);
            Stack.Member member = stack.start(gateway);
            stack.awaitReady(List.of(member));
            return member;
        }, () -> {
            down.run();
            downAnswered.countDown();
        });
        Files.writeString(controlFile, String.valueOf(control.getAddress().getPort()));
        if (options.stopOnStdinEof) {
            stopWhenStdinCloses(down);
        }

        Map<String, Object> ready;
        try {
            ready = start(stack, apps, options, control.getAddress().getPort());
        } catch (ProcessFailure | IllegalArgumentException | IOException | UncheckedIOException failure) {
            System.err.println("[stack] " + (failure instanceof ProcessFailure ? failure.getMessage() : failure));
            down.run();
            control.stop(0);
            return 1;
        }
        say(READY + " " + Json.write(ready));
        downAnswered.await(); // else a signal or stdin's end stops it, in their own threads
        control.stop(1);
        return 0;
    }

    /** Starts the broker, waits for it, then the gateways and services together; returns the ready line's content. */
    private Map<String, Object> start(Stack stack, StackApps apps, UpOptions options, int controlPort) throws IOException {
        Path runDir = options.runDir;
        UpOptions.PortSource free = FreePorts::take;
        int kafkaPort = options.kafkaPort(free);
        Stack.Member broker = stack.start(configured(apps.broker(kafkaPort, runDir.resolve("kafka-data")), options));
        stack.awaitReady(List.of(broker));
        String bootstrap = broker.launch().url();
        log("kafka ready on " + bootstrap);

        List<Stack.Member> started = new ArrayList<>();
        for (int i = 0; i < options.gateways; i++) {
            int port = options.gatewayPort(i, free);
            started.add(stack.start(configured(apps.gateway(options.gatewayName(i, port), port, bootstrap,
                    options.jwtSecret), options)));
        }
        for (String module : options.services) {
            started.add(stack.start(configured(apps.service(module, options.servicePort(module, free), bootstrap,
                    options.jwtSecret), options)));
        }
        stack.awaitReady(started);

        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("runDir", runDir.toString());
        ready.put("control", "http://127.0.0.1:" + controlPort);
        ready.put("bootstrap", bootstrap);
        var balancerPort = options.balancerPort(free);
        if (balancerPort.isPresent()) {
            Balancer balancer = new Balancer(balancerPort.getAsInt(), stack::gatewaysInRotation);
            ready.put("balancer", "ws://localhost:" + balancer.port() + "/ws");
        }
        if (options.profile == UpOptions.Profile.LOCAL) {
            String token = StackApps.adminToken(options.jwtSecret, Instant.now());
            Files.writeString(runDir.resolve("admin-token"), token + "\n");
            ready.put("adminToken", token);
            printLocalSummary(stack, bootstrap, runDir, token, (String) ready.get("balancer"));
        }
        ready.put("processes", stack.members().stream().map(Stack.Member::describe).toList());
        return ready;
    }

    private static String bootstrap(Stack stack) {
        return stack.members().stream().filter(m -> m.launch().kind() == AppLaunch.Kind.BROKER)
                .findFirst().orElseThrow().launch().url();
    }

    /** The profile's settings, then the caller's {@code --env} in order. */
    private static AppLaunch configured(AppLaunch app, UpOptions options) {
        if (options.profile == UpOptions.Profile.LOCAL) {
            StackApps.localDevelopment(app);
        }
        options.env.stream().filter(env -> env.appliesTo(app)).forEach(env -> app.env(env.key(), env.value()));
        return app;
    }

    /** What a newcomer needs: where to connect a device, the services' API docs, the console and an admin token. */
    private void printLocalSummary(Stack stack, String bootstrap, Path runDir, String adminToken, String balancer) {
        List<Stack.Member> gateways = stack.members().stream()
                .filter(m -> m.launch().kind() == AppLaunch.Kind.GATEWAY).toList();
        // The console finds the services on the page's host at their default ports; other ports go in its URL.
        String query = stack.members().stream().filter(m -> m.launch().kind() == AppLaunch.Kind.SERVICE)
                .filter(m -> m.launch().port() != UpOptions.SERVICE_PORTS.get(m.launch().name()))
                .map(m -> m.launch().name().replace("-service", "") + "=" + m.launch().url())
                .collect(Collectors.joining("&"));
        log("all " + stack.members().size() + " processes healthy");
        for (Stack.Member gateway : gateways) {
            int port = gateway.launch().port();
            log(String.format("%-15s ws://localhost:%d/ws?token=user_123:iphone_456   http://localhost:%d/api/sync/status",
                    gateway.launch().name(), port, port));
        }
        for (Stack.Member service : stack.members()) {
            if (service.launch().kind() == AppLaunch.Kind.SERVICE) {
                String extra = service.launch().name().equals("publish-service") ? "   team notifications, key "
                        + service.launch().env().getOrDefault("PUBLISH_TEAM_KEYS", "").replaceFirst("^[^=]*=", "") : "";
                log(String.format("%-15s %s/q/swagger-ui%s", service.launch().name(), service.launch().url(), extra));
            }
        }
        log(String.format("%-15s %s      logs: %s", "kafka", bootstrap, runDir.resolve("logs")));
        List<String> consoles = new ArrayList<>();
        if (balancer != null) {
            log(String.format("%-15s %s?token=user_123:iphone_456   (to whichever gateway is up, as a Kubernetes Service)",
                    "balancer", balancer));
            consoles.add(balancer.replace("ws://", "http://").replace("/ws", ""));
        }
        gateways.forEach(gateway -> consoles.add(gateway.launch().url()));
        for (String console : consoles) {
            log(String.format("%-15s %s/console/%s   (sign in with a dev token such as user_123:laptop)",
                    "console", console, query.isEmpty() ? "" : "?" + query));
        }
        log(String.format("%-15s %s", "admin token", adminToken));
        log("                (for the console's Ops view and /api/admin; also in " + runDir.resolve("admin-token") + ")");
        if (gateways.size() > 1 && balancer != null) {
            log("watch a device move: open the console through the balancer, then deploy/local/stack kill "
                    + gateways.get(0).launch().name() + " (or the pod it names), then deploy/local/stack restart ...");
        }
        log("Ctrl-C (or deploy/local/stack down) stops everything");
    }

    private boolean buildIfStale(UpOptions options) throws IOException, InterruptedException {
        if (options.stale != UpOptions.Stale.BUILD) {
            return true;
        }
        List<String> modules = new ArrayList<>(List.of("local-kafka"));
        if (options.gateways > 0) {
            modules.add("gateway-service");
        }
        modules.addAll(options.services);
        var why = StackApps.of(root).staleness(modules);
        if (why.isEmpty()) {
            return true;
        }
        log("building (" + why.get() + "): ./mvnw -q -B -DskipTests package");
        Process build = new ProcessBuilder(root.resolve("mvnw").toString(), "-q", "-B", "-DskipTests", "package")
                .directory(root.toFile()).inheritIO().start();
        if (build.waitFor() != 0) {
            System.err.println("[stack] the build failed");
            return false;
        }
        return true;
    }

    private static void stopWhenStdinCloses(Runnable down) {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // only its end matters
                }
            } catch (IOException gone) {
                // as closed
            }
            down.run();
            System.exit(0);
        }, "stack-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private void log(String line) {
        say("[stack] " + line);
    }
}
