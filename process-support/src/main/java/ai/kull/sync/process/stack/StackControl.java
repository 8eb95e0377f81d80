package ai.kull.sync.process.stack;

import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ProcessFailure;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.PrintStream;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * How {@code stack status|kill|stop|restart|add-gateway|down} reach a running {@code stack up}: it serves a small
 * HTTP API on 127.0.0.1 only, on a port from the OS that it writes to {@code <run-dir>/control.port} (removed when
 * it stops). A socket on loopback works the same on every OS, needs no pid bookkeeping, and a wrong name gets an
 * answer with the reason (400 and the known names). Every command is a POST naming its process ({@code ?name=}).
 */
final class StackControl {

    /** The file in the run directory that holds the control port. */
    static final String PORT_FILE = "control.port";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private StackControl() {
    }

    /** Starts a gateway as {@code stack up} configures its gateways, plus {@code env}; returns it ready. */
    interface GatewayAdder {
        Stack.Member add(String name, int port, Map<String, String> env) throws IOException;
    }

    /** Serves the control API for {@code stack}; {@code down} stops everything and lets {@code up} return. */
    static HttpServer serve(Stack stack, GatewayAdder gateways, Runnable down) throws IOException {
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
                        case "/add-gateway" -> answer(exchange, 200, Json.write(addGateway(gateways, query)
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

    private static Stack.Member addGateway(GatewayAdder gateways, Map<String, List<String>> query) throws IOException {
        String givenPort = query.getOrDefault("port", List.of("0")).get(0);
        int port = givenPort.equals("0") ? FreePorts.take() : Integer.parseInt(givenPort);
        Map<String, String> env = new LinkedHashMap<>();
        for (String setting : query.getOrDefault("env", List.of())) {
            String[] pair = setting.split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("env wants KEY=VALUE, not " + setting);
            }
            env.put(pair[0], pair[1]);
        }
        return gateways.add(name(query), port, env);
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

    /** A command for a running {@code up}: sent to its control port, its answer printed; the exit code. */
    static int send(Path root, String command, List<String> args, PrintStream out) throws IOException, InterruptedException {
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
        Integer port = controlPort(runDir.resolve(PORT_FILE));
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

    static boolean answers(Path file) throws IOException {
        Integer port = controlPort(file);
        return port != null && FreePorts.listening(port);
    }

}
