package ai.kull.sync.process.stack;

import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ProcessFailure;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code stack} command ({@code deploy/local/stack}): {@code up} starts the broker, the gateways and the
 * services from {@link StackApps}, prints one {@code STACK_READY {json}} line, then supervises (a process that
 * exits is reported, the rest keep running) until Ctrl-C, SIGTERM or {@code stack down}. The other commands act
 * on that running {@code up} from another terminal.
 *
 * <p>How they reach it: {@code up} serves a small HTTP control API on 127.0.0.1 only, on a port from the OS that
 * it writes to {@code <run-dir>/control.port} (removed when it stops). A plain socket on loopback works the same
 * on every OS, needs no pid bookkeeping, and answers with a reason when a name is wrong.
 */
public final class StackCommand {

    static final String READY = "STACK_READY";
    static final String CONTROL_PORT_FILE = "control.port";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
                case "status", "down", "kill", "stop", "restart", "add-gateway" -> control(command, rest);
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
        Path controlFile = runDir.resolve(CONTROL_PORT_FILE);
        if (controlAnswers(controlFile)) {
            System.err.println("stack: a stack already runs from " + runDir + " (stop it with: stack down --run-dir "
                    + runDir + ")");
            return 1;
        }
        if (!buildIfStale(options)) {
            return 1;
        }
        Files.createDirectories(runDir.resolve("logs"));
        if (options.fresh) {
            deleteRecursively(runDir.resolve("kafka-data"));
        }
        if (options.copyApps) {
            deleteRecursively(runDir.resolve("apps")); // copies of an earlier build
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
        HttpServer control = controlServer(stack, options, apps, () -> {
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

    // ---------------------------------------------------------------------------------------------------------
    // The control API (127.0.0.1 only)

    /** The control API; {@code down} stops everything and lets {@code up} return. */
    private HttpServer controlServer(Stack stack, UpOptions options, StackApps apps, Runnable down) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "stack-control");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
                try {
                    if (!exchange.getRequestMethod().equals("POST")) {
                        answer(exchange, 405, "use POST\n");
                        return;
                    }
                    switch (path) {
                        case "/status" -> answer(exchange, 200, query.containsKey("table") ? table(stack)
                                : Json.write(stack.members().stream().map(Stack.Member::describe).toList()) + "\n");
                        case "/kill" -> answer(exchange, 200, Json.write(stack.kill(name(query)).describe()) + "\n");
                        case "/stop" -> answer(exchange, 200, Json.write(stack.stop(name(query)).describe()) + "\n");
                        case "/restart" -> answer(exchange, 200, Json.write(stack.restart(name(query)).describe()) + "\n");
                        case "/add-gateway" -> answer(exchange, 200, Json.write(addGateway(stack, options, apps, query)
                                .describe()) + "\n");
                        case "/down" -> {
                            try (exchange) {
                                stack.close();
                                answer(exchange, 200, "stopped\n");
                            }
                            down.run(); // after the answer: then up returns and the JVM exits
                        }
                        default -> answer(exchange, 404, "no command " + path + "\n");
                    }
                } catch (IllegalArgumentException wrong) {
                    answer(exchange, 400, wrong.getMessage() + "\n");
                } catch (ProcessFailure | IOException failed) {
                    answer(exchange, 500, failed.getMessage() + "\n");
                }
            }
        });
        server.start();
        return server;
    }

    private Stack.Member addGateway(Stack stack, UpOptions options, StackApps apps, Map<String, List<String>> query)
            throws IOException {
        String name = name(query);
        String givenPort = query.getOrDefault("port", List.of("0")).get(0);
        int port = givenPort.equals("0") ? FreePorts.take() : Integer.parseInt(givenPort);
        String bootstrap = stack.members().stream().filter(m -> m.launch().kind() == AppLaunch.Kind.BROKER)
                .findFirst().orElseThrow().launch().url();
        AppLaunch gateway = configured(apps.gateway(name, port, bootstrap, options.jwtSecret), options);
        for (String env : query.getOrDefault("env", List.of())) {
            String[] pair = env.split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("env wants KEY=VALUE, not " + env);
            }
            gateway.env(pair[0], pair[1]);
        }
        Stack.Member member = stack.start(gateway);
        stack.awaitReady(List.of(member));
        return member;
    }

    private static String name(Map<String, List<String>> query) {
        List<String> names = query.getOrDefault("name", List.of());
        if (names.size() != 1 || names.get(0).isBlank()) {
            throw new IllegalArgumentException("name one process (?name=gateway-8090)");
        }
        return names.get(0);
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            out.computeIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") || body.startsWith("[")
                ? "application/json" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A command for a running {@code up}: sent to its control port, its answer printed. */
    private int control(String command, List<String> args) throws IOException, InterruptedException {
        Path runDir = root.resolve("target/local-stack");
        List<String> query = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--run-dir", "--port", "--env" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    String value = args.get(++i);
                    if (arg.equals("--run-dir")) {
                        runDir = root.resolve(value);
                    } else {
                        query.add(arg.substring(2) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
                    }
                }
                case "--json" -> json = true;
                default -> positional.add(arg);
            }
        }
        if (command.equals("status") && !json) {
            query.add("table");
        }
        boolean named = !command.equals("status") && !command.equals("down");
        if (positional.size() != (named ? 1 : 0)) {
            throw new IllegalArgumentException(named ? "stack " + command + " NAME (e.g. gateway-8090)"
                    : "stack " + command + " takes no name");
        }
        if (named) {
            query.add(0, "name=" + URLEncoder.encode(positional.get(0), StandardCharsets.UTF_8));
        }
        Integer port = controlPort(runDir.resolve(CONTROL_PORT_FILE));
        if (port == null) {
            System.err.println("stack: no stack runs from " + runDir + " (start one with: stack up)");
            return 1;
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/" + command + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException gone) {
            System.err.println("stack: the stack of " + runDir + " does not answer on 127.0.0.1:" + port
                    + " (it was stopped or killed)");
            return 1;
        }
        (response.statusCode() == 200 ? out : System.err).print(response.body());
        return response.statusCode() == 200 ? 0 : 1;
    }

    /** The status as lines a person reads ({@code stack status}; {@code --json} gives what scripts parse). */
    static String table(Stack stack) {
        StringBuilder out = new StringBuilder();
        for (Stack.Member member : stack.members()) {
            Map<String, Object> process = member.describe();
            out.append(String.format("%-18s %-4s pid %-8s %-24s %s%n", process.get("name"),
                    Boolean.TRUE.equals(process.get("alive")) ? "up" : "DOWN", process.get("pid"), process.get("url"),
                    process.get("log")));
        }
        return out.toString();
    }

    private static Integer controlPort(Path file) throws IOException {
        try {
            return Integer.parseInt(Files.readString(file).trim());
        } catch (NoSuchFileException | NumberFormatException none) {
            return null;
        }
    }

    private static boolean controlAnswers(Path file) throws IOException {
        Integer port = controlPort(file);
        return port != null && FreePorts.listening(port);
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

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
