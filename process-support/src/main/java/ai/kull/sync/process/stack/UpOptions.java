package ai.kull.sync.process.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code stack up} was asked for, parsed from its arguments; every default is stated here, once. */
final class UpOptions {

    /** The broker's default port. */
    static final int KAFKA_PORT = 9092;
    /** The first gateway's default port; the next ones are 10 apart (8080, 8090, 8100, ...). */
    static final int FIRST_GATEWAY_PORT = 8080;
    /** The default port of the balancer in front of the gateways (the local profile has one). */
    static final int BALANCER_PORT = 8000;
    /** The services' default ports. */
    static final Map<String, Integer> SERVICE_PORTS = Map.of("credit-service", 8081, "shoot-service", 8082,
            "prompt-service", 8083, "publish-service", 8084);

    /** Local development's conveniences ({@link StackApps#localDevelopment}) or none (a test adds its own). */
    enum Profile { LOCAL, TEST }

    /** What to do with a jar older than its sources: refuse, rebuild everything, or warn and run it. */
    enum Stale { FAIL, BUILD, WARN }

    /** One {@code --env TARGET:KEY=VALUE}: TARGET is a process name, {@code gateways}, {@code services} or {@code all}. */
    record Env(String target, String key, String value) {
        boolean appliesTo(AppLaunch app) {
            return switch (target) {
                case "all" -> true;
                case "gateways" -> app.kind() == AppLaunch.Kind.GATEWAY;
                case "services" -> app.kind() == AppLaunch.Kind.SERVICE;
                default -> target.equals(app.name());
            };
        }

        static Env parse(String spec) {
            int colon = spec.indexOf(':');
            int equals = spec.indexOf('=');
            if (colon < 1 || equals < colon + 2) {
                throw new IllegalArgumentException("--env wants TARGET:KEY=VALUE (TARGET: a process name, gateways,"
                        + " services or all), not " + spec);
            }
            return new Env(spec.substring(0, colon), spec.substring(colon + 1, equals), spec.substring(equals + 1));
        }
    }

    Path runDir;
    Integer kafkaPort;
    List<Integer> gatewayPorts = new ArrayList<>();
    List<String> gatewayNames = new ArrayList<>();
    int gateways = 2;
    List<String> services = new ArrayList<>(StackApps.SERVICES);
    Map<String, Integer> ports = new LinkedHashMap<>();
    boolean freePorts;
    Integer balancerPort;
    boolean noBalancer;
    Profile profile = Profile.LOCAL;
    String jwtSecret = StackApps.LOCAL_JWT_SECRET;
    List<Env> env = new ArrayList<>();
    Stale stale = Stale.FAIL;
    boolean copyApps;
    boolean fresh;
    boolean stopOnStdinEof;
    Duration startTimeout = Duration.ofSeconds(180);

    static final String USAGE = """
            stack up [options]        starts the stack, prints STACK_READY {json}, supervises until Ctrl-C or stack down
              --gateways N              gateway pods (default 2), named gateway-<port>
              --gateway-ports P,P       their ports (default 8080, 8090, ...; sets N)
              --gateway-names A,B       their names instead of gateway-<port>
              --services LIST           credit,shoot,prompt,publish (default: all four; none: only gateways)
              --kafka-port P            the broker's port (default 9092)
              --balancer-port P         a TCP balancer over the gateways, like a Kubernetes Service (default 8000
                                        with the local profile, none with test)
              --no-balancer             none
              --port NAME=P             a service's port (defaults: credit 8081, shoot 8082, prompt 8083, publish 8084)
              --free-ports              every port not given explicitly is taken from the OS
              --run-dir D               logs, broker data, control port (default target/local-stack)
              --fresh                   empty the broker's data first
              --profile local|test      local: dev tokens, anonymous writes, CORS for localhost (default); test: none
              --jwt-secret S            the HS256 secret gateways and services verify (default: the local one)
              --env TARGET:KEY=VALUE    adds or overrides a setting; TARGET: a process name, gateways, services, all
              --if-stale fail|build|warn  a jar older than its sources: refuse (default), rebuild, or run it anyway
              --copy-apps               run copies of the jars (a rebuild meanwhile cannot pull them away)
              --stop-on-stdin-eof       stop everything when stdin closes (the process that started it is gone)
              --start-timeout SECONDS   per process (default 180)
            stack status [--json] [--run-dir D]      every process: name, up/DOWN, pid, url, log
            stack down [--run-dir D]                 stops everything, services first, broker last
            stack kill|stop|restart NAME [--run-dir D]   SIGKILL | SIGTERM (drain) | stop and start again
            stack add-gateway NAME [--port P] [--env KEY=VALUE ...] [--run-dir D]
            """;

    static UpOptions parse(List<String> args, Path root) {
        UpOptions options = new UpOptions();
        options.runDir = root.resolve("target/local-stack");
        boolean countGiven = false;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--free-ports" -> options.freePorts = true;
                case "--fresh" -> options.fresh = true;
                case "--copy-apps" -> options.copyApps = true;
                case "--stop-on-stdin-eof" -> options.stopOnStdinEof = true;
                case "--no-balancer" -> options.noBalancer = true;
                default -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(flag.startsWith("--") ? flag + " needs a value" : "unknown argument " + flag);
                    }
                    String value = args.get(++i);
                    switch (flag) {
                        case "--gateways" -> {
                            options.gateways = number(flag, value);
                            countGiven = true;
                        }
                        case "--gateway-ports" -> options.gatewayPorts = list(value).stream().map(p -> number(flag, p)).toList();
                        case "--gateway-names" -> options.gatewayNames = list(value);
                        case "--services" -> options.services = services(value);
                        case "--kafka-port" -> options.kafkaPort = number(flag, value);
                        case "--balancer-port" -> options.balancerPort = number(flag, value);
                        case "--port" -> {
                            String[] pair = value.split("=", 2);
                            if (pair.length != 2) {
                                throw new IllegalArgumentException("--port wants NAME=PORT, not " + value);
                            }
                            options.ports.put(module(pair[0]), number(flag, pair[1]));
                        }
                        case "--run-dir" -> options.runDir = root.resolve(value);
                        case "--profile" -> options.profile = choice(Profile.class, flag, value);
                        case "--jwt-secret" -> options.jwtSecret = value;
                        case "--env" -> options.env.add(Env.parse(value));
                        case "--if-stale" -> options.stale = choice(Stale.class, flag, value);
                        case "--start-timeout" -> options.startTimeout = Duration.ofSeconds(number(flag, value));
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                }
            }
        }
        if (!options.gatewayPorts.isEmpty()) {
            if (countGiven && options.gateways != options.gatewayPorts.size()) {
                throw new IllegalArgumentException("--gateways " + options.gateways + " but "
                        + options.gatewayPorts.size() + " --gateway-ports");
            }
            options.gateways = options.gatewayPorts.size();
        }
        if (!options.gatewayNames.isEmpty() && options.gatewayNames.size() != options.gateways) {
            throw new IllegalArgumentException(options.gatewayNames.size() + " --gateway-names for "
                    + options.gateways + " gateways");
        }
        for (String name : options.ports.keySet()) {
            if (!options.services.contains(name)) {
                throw new IllegalArgumentException("--port " + name + ": not one of the services started ("
                        + String.join(", ", options.services) + ")");
            }
        }
        return options;
    }

    /** The broker's port: given, or free from the OS with {@code --free-ports}, or the default. */
    int kafkaPort(PortSource free) {
        return kafkaPort != null ? kafkaPort : freePorts ? free.next() : KAFKA_PORT;
    }

    /** The balancer's port, or empty: none asked for, none by default in the test profile, or no gateway. */
    java.util.OptionalInt balancerPort(PortSource free) {
        if (noBalancer || gateways == 0 || (balancerPort == null && profile == Profile.TEST)) {
            return java.util.OptionalInt.empty();
        }
        return java.util.OptionalInt.of(balancerPort != null ? balancerPort : freePorts ? free.next() : BALANCER_PORT);
    }

    int gatewayPort(int index, PortSource free) {
        return index < gatewayPorts.size() ? gatewayPorts.get(index)
                : freePorts ? free.next() : FIRST_GATEWAY_PORT + 10 * index;
    }

    String gatewayName(int index, int port) {
        return index < gatewayNames.size() ? gatewayNames.get(index) : "gateway-" + port;
    }

    int servicePort(String module, PortSource free) {
        Integer given = ports.get(module);
        return given != null ? given : freePorts ? free.next() : SERVICE_PORTS.get(module);
    }

    /** Where ports come from when none is given (with {@code --free-ports}). */
    interface PortSource {
        int next();
    }

    private static List<String> services(String value) {
        if (value.equals("none") || value.isBlank()) {
            return List.of();
        }
        return list(value).stream().map(UpOptions::module).distinct().toList();
    }

    /** {@code credit} or {@code credit-service} to the module's name. */
    static String module(String name) {
        String module = name.endsWith("-service") ? name : name + "-service";
        if (!StackApps.SERVICES.contains(module)) {
            throw new IllegalArgumentException("unknown service " + name + "; known: credit, shoot, prompt, publish");
        }
        return module;
    }

    private static List<String> list(String value) {
        return List.of(value.trim().split("\\s*[, ]\\s*"));
    }

    private static int number(String flag, String value) {
        try {
            int number = Integer.parseInt(value.trim());
            if (number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " wants a number, not " + value);
        }
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String flag, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " is one of " + List.of(type.getEnumConstants()).stream()
                    .map(c -> c.name().toLowerCase()).toList() + ", not " + value);
        }
    }
}
