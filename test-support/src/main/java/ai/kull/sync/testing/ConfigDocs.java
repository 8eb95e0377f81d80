package ai.kull.sync.testing;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What documentation says about configuration, checked against a {@code @ConfigMapping} interface: every
 * environment variable of the mapping's prefix a document names must be a setting, and a default it states
 * (written {@code `NAME` (default)}) must be the setting's {@code @WithDefault}; an {@code application.properties}
 * must not repeat a {@code @WithDefault}, neither in a {@code ${name:default}} expression nor in a comment.
 * <p>
 * Plain reflection and text, no Quarkus boot. Used by gateway-service's {@code ReadmeConfigTest} and
 * service-support's {@code ReadmeServiceConfigTest}.
 */
public final class ConfigDocs {

    /** One setting of the mapping: its property name, its env var name, its type and its default (or null). */
    public record Setting(String property, String env, Class<?> type, String defaultValue) {
    }

    /** A name in a text, with the default stated right after it (or null), and its 1-based line. */
    public record Mention(String name, String stated, int line) {
    }

    /** A name followed, on the same line, by an optional closing backtick and " (stated default)". */
    private static final String STATED = "`?(?: \\(([^()\\n]*)\\))?";
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(KiB|MiB|GiB|B)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^:}]+):([^}]*)}");

    private ConfigDocs() {
    }

    /** Every setting of {@code mapping} (nested groups included, also inside Optional), by env var name. */
    public static Map<String, Setting> settings(Class<?> mapping, String prefix) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        collect(mapping, prefix, settings);
        return settings;
    }

    /** MicroProfile Config's rule: every character that is not a letter or digit becomes '_', then upper case. */
    public static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Every name starting with {@code envPrefix} (e.g. {@code GATEWAY_}) in {@code text}, in order. */
    public static List<Mention> mentions(String text, String envPrefix) {
        Pattern name = Pattern.compile("\\b(" + Pattern.quote(envPrefix) + "[A-Z0-9_]*[A-Z0-9])\\b" + STATED);
        return find(name, text);
    }

    /**
     * What is wrong with what {@code text} (named {@code doc} in messages) says about the settings: a name of
     * the prefix that is no setting (unless {@code notASetting} knows it, e.g. a message type or a script
     * variable), or a stated default that differs from the {@code @WithDefault}.
     */
    public static List<String> problems(String doc, String text, String envPrefix, Map<String, Setting> settings,
                                 String mappingName, Predicate<String> notASetting) {
        List<String> problems = new ArrayList<>();
        for (Mention mention : mentions(text, envPrefix)) {
            Setting setting = settings.get(mention.name());
            String where = doc + ":" + mention.line() + ": " + mention.name();
            if (setting == null) {
                if (!notASetting.test(mention.name())) {
                    problems.add(where + " is no setting of " + mappingName + " (nor a message type or a script's variable)");
                }
            } else if (mention.stated() != null) {
                if (setting.defaultValue() == null) {
                    problems.add(where + " states default '" + mention.stated() + "', but " + setting.property()
                            + " has none");
                } else if (!sameValue(setting, mention.stated())) {
                    problems.add(where + " states default '" + mention.stated() + "', but " + mappingName + " says '"
                            + setting.defaultValue() + "' (" + setting.property() + ")");
                }
            }
        }
        return problems;
    }

    /**
     * Where an {@code application.properties} repeats a {@code @WithDefault}: in a {@code ${name:default}}
     * expression naming a setting, in a {@code ${OTHER:default}} expression assigned to a setting, or as a
     * default stated in a comment after a setting's env or property name.
     */
    public static List<String> repetitions(String doc, String properties, Map<String, Setting> settings) {
        Map<String, Setting> byProperty = new LinkedHashMap<>();
        settings.values().forEach(s -> byProperty.put(s.property(), s));
        List<String> problems = new ArrayList<>();
        String[] lines = properties.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String where = doc + ":" + (i + 1) + ": ";
            if (line.stripLeading().startsWith("#")) {
                for (Setting setting : settings.values()) {
                    for (String name : List.of(setting.env(), setting.property())) {
                        Matcher m = Pattern.compile("(?<![\\w.-])" + Pattern.quote(name) + "(?![\\w.-])" + STATED)
                                .matcher(line);
                        while (m.find()) {
                            if (setting.defaultValue() != null && m.group(1) != null && Arrays.stream(m.group(1).split(","))
                                    .map(String::strip).anyMatch(part -> sameValue(setting, part))) {
                                problems.add(where + "the comment repeats the default of " + setting.property()
                                        + " (" + m.group(1) + ")");
                            }
                        }
                    }
                }
                continue;
            }
            int equals = line.indexOf('=');
            Setting assigned = equals < 0 ? null : byProperty.get(line.substring(0, equals).strip().replaceFirst("^%[^.]+\\.", ""));
            Matcher m = EXPRESSION.matcher(line);
            while (m.find()) {
                Setting setting = byProperty.get(m.group(1).strip());
                if (setting != null && setting.defaultValue() != null) {
                    problems.add(where + m.group() + " repeats the @WithDefault of " + setting.property()
                            + "; write ${" + setting.property() + "}");
                } else if (setting == null && assigned != null && assigned.defaultValue() != null
                        && sameValue(assigned, m.group(2))) {
                    problems.add(where + m.group() + " repeats the @WithDefault of " + assigned.property()
                            + " (its env var is " + assigned.env() + ")");
                }
            }
        }
        return problems;
    }

    /** Whether a value as a document writes it ("64 MiB", "5m", "20") equals the setting's default. */
    public static boolean sameValue(Setting setting, String stated) {
        Class<?> type = setting.type();
        String written = stated.strip();
        if (type == Duration.class) {
            Duration a = duration(written);
            return a != null && a.equals(duration(setting.defaultValue()));
        }
        if (type.isPrimitive() && type != boolean.class || Number.class.isAssignableFrom(type)) {
            BigDecimal a = number(written);
            return a != null && a.compareTo(number(setting.defaultValue())) == 0;
        }
        if (type == boolean.class || type == Boolean.class) {
            return written.equalsIgnoreCase(setting.defaultValue());
        }
        return written.equals(setting.defaultValue());
    }

    /** "5m", "500ms", "12h", ISO "PT5M", or bare seconds (as Quarkus reads a Duration); null when none of these. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (text.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        try {
            return Duration.parse(text);
        } catch (RuntimeException notADuration) {
            return null;
        }
    }

    /** "20", "0.5", "65536", "64 KiB", "1 MiB" (binary units), "1,000" or "20/s"; null when none of these. */
    public static BigDecimal number(String text) {
        Matcher m = SIZE.matcher(text.replace(",", "").replaceFirst("\\s*(/s|per second)$", ""));
        if (!m.matches()) {
            return null;
        }
        BigDecimal value = new BigDecimal(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        };
        return value.multiply(BigDecimal.valueOf(1L << shift));
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root: the nearest directory (from the module's, where Maven runs tests) with README.md and mvnw. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The repository's documentation: README.md and docs/*.md. */
    public static List<Path> documents(Path root) {
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    private static final Path BENCH_SETTINGS = Path.of("loadgen/src/main/java/ai/kull/sync/loadgen/bench/Settings.java");

    /**
     * Whether a shell script of the repository (outside build output and node_modules) or the benchmark's
     * settings ({@code loadgen/.../bench/Settings.java}, which declares each variable as a quoted name) use {@code name}.
     */
    public static Predicate<String> scriptVariables(Path root) {
        StringBuilder scripts = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".sh") || f.endsWith(BENCH_SETTINGS))
                    .filter(f -> Stream.of("target", "node_modules", ".git").noneMatch(skip ->
                            root.relativize(f).toString().contains(skip + "/")))
                    .forEach(f -> scripts.append(read(f)).append('\n'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = scripts.toString();
        return name -> Pattern.compile("\\$\\{?" + Pattern.quote(name) + "\\b|\\b" + Pattern.quote(name) + "=|\"" + Pattern.quote(name) + "\"")
                .matcher(text).find();
    }

    private static List<Mention> find(Pattern pattern, String text) {
        List<Mention> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            found.add(new Mention(m.group(1), m.group(2) == null ? null : m.group(2).strip(), line));
        }
        return found;
    }

    private static void collect(Class<?> mapping, String prefix, Map<String, Setting> settings) {
        for (Method method : mapping.getMethods()) {
            if (method.getParameterCount() != 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String property = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            Type generic = method.getGenericReturnType();
            if (type == Optional.class && generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
                type = c; // Optional<String>, Optional<TopicSpec>
            } else if (type == Optional.class && generic instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof ParameterizedType inner) {
                type = (Class<?>) inner.getRawType(); // Optional<List<String>>
            }
            if (type.isInterface() && !type.getName().startsWith("java.")) {
                collect(type, property, settings);
                continue;
            }
            WithDefault withDefault = method.getAnnotation(WithDefault.class);
            settings.put(envName(property), new Setting(property, envName(property), type,
                    withDefault == null ? null : withDefault.value()));
        }
    }

    /** SmallRye Config's default naming: {@code maxNewPerSecond} is {@code max-new-per-second}. */
    private static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
