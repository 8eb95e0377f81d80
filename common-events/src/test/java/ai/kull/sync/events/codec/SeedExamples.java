package ai.kull.sync.events.codec;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the examples copied verbatim from the seed documents (test resources under {@code seeds/}). Several
 * are JavaScript object literals (single quotes, unquoted names, comments, trailing commas), so they are
 * read leniently and handed to the codec as strict JSON.
 */
final class SeedExamples {

    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();
    private static final Pattern KEY = Pattern.compile("^\\s*(\\w+)\\??:");

    private SeedExamples() {
    }

    static ObjectNode tree(String name) {
        try {
            return (ObjectNode) LENIENT.readTree(text(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(String name) {
        return tree(name).toString();
    }

    static String text(String name) {
        try (InputStream in = SeedExamples.class.getResourceAsStream("/seeds/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no seed example " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A message shape from seed 001's TypeScript: its envelope field names and its data field names. */
    record Shape(Set<String> fields, Set<String> dataFields) {
    }

    /** Parses 001-message-shapes.ts into one shape per message type. */
    static Map<String, Shape> messageShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        Pattern type = Pattern.compile("type: '(\\w+)'");
        String currentType = null;
        Set<String> fields = new LinkedHashSet<>();
        Set<String> dataFields = new LinkedHashSet<>();
        boolean inData = false;
        for (String line : text("001-message-shapes.ts").lines().toList()) {
            Matcher typeMatch = type.matcher(line);
            Matcher key = KEY.matcher(line);
            if (typeMatch.find()) {
                currentType = typeMatch.group(1);
            }
            if (line.equals("}")) {
                shapes.put(currentType, new Shape(fields, dataFields));
                fields = new LinkedHashSet<>();
                dataFields = new LinkedHashSet<>();
            } else if (line.trim().equals("},")) {
                inData = false;
            } else if (key.find()) {
                (inData ? dataFields : fields).add(key.group(1));
                inData |= line.trim().equals("data: {");
            }
        }
        return shapes;
    }

    static List<String> orgEventFiles() {
        return List.of("003-sync-started.jsonc", "003-sync-progress.jsonc", "003-sync-success.jsonc",
                "003-sync-conflict.jsonc", "003-sync-failed.jsonc");
    }
}
