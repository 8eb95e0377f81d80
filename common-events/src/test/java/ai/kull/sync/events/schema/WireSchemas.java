package ai.kull.sync.events.schema;

import ai.kull.sync.events.ClientMessage;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Topics;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationModule;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationOption;
import jakarta.validation.groups.Default;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the JSON Schema (draft 2020-12) of every wire message from the Java records: Jackson
 * annotations give names and enum spellings, Jakarta Validation annotations give required fields and
 * bounds. {@link SchemaFilesTest} compares the result with the committed files.
 */
final class WireSchemas {

    /** Where the committed schemas live, relative to the module directory Maven runs tests in. */
    static final Path DIRECTORY = Path.of("src/main/resources/schemas");

    private static final ObjectMapper JSON = new ObjectMapper();

    private WireSchemas() {
    }

    /** File name to file content for every wire message. */
    static Map<String, String> generate() {
        Map<String, String> files = new TreeMap<>();
        for (WireMessage message : WireMessage.all()) {
            files.put(message.schemaFile(), pretty(schemaOf(message)));
        }
        return files;
    }

    private static ObjectNode schemaOf(WireMessage message) {
        Class<?> root = switch (message.shape()) {
            case ENVELOPE -> Envelope.class;
            case CLIENT_MESSAGE -> ClientMessage.class;
            case ORG_EVENT -> OrgSyncEvent.class;
        };
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON)
                // Methods only for derived properties such as ShootProgress.progress (see INCLUDE_ONLY_...).
                .with(Option.EXTRA_OPEN_API_FORMAT_VALUES, Option.NONSTATIC_NONVOID_NONGETTER_METHODS)
                .with(new JacksonModule(JacksonOption.RESPECT_JSONPROPERTY_ORDER,
                        JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY,
                        JacksonOption.INCLUDE_ONLY_JSONPROPERTY_ANNOTATED_METHODS))
                .with(new JakartaValidationModule(JakartaValidationOption.NOT_NULLABLE_FIELD_IS_REQUIRED,
                        JakartaValidationOption.INCLUDE_PATTERN_EXPRESSIONS).forValidationGroups(Default.class));
        config.forFields().withTargetTypeOverridesResolver(field -> isPayloadField(field)
                ? List.of(field.getContext().resolve(message.type().payloadClass().orElseThrow()))
                : null);
        config.forTypesInGeneral().withPropertySorter(WireSchemas::inWireOrder);
        ObjectNode schema = new SchemaGenerator(config.build()).generateSchema(root);
        dropMethodParentheses(schema);
        // The root's type is one fixed name, not the whole enum.
        ObjectNode properties = (ObjectNode) schema.get("properties");
        properties.set("type", JSON.createObjectNode().put("type", "string").put("const", message.type().name()));
        if (message.shape() == WireMessage.Shape.CLIENT_MESSAGE && !properties.get("payload").has("required")) {
            // Decoding reads a missing payload as {}, which is valid when the payload requires nothing.
            ((ArrayNode) schema.get("required")).removeIf(field -> field.asText().equals("payload"));
        }
        ObjectNode ordered = JSON.createObjectNode();
        ordered.set("$schema", schema.remove("$schema"));
        ordered.put("title", message.name());
        ordered.put("description", describe(message));
        ordered.setAll(schema);
        return ordered;
    }

    /** Properties in the order Jackson writes them, so a schema reads like the messages it describes. */
    private static int inWireOrder(MemberScope<?, ?> a, MemberScope<?, ?> b) {
        return Integer.compare(wireIndex(a), wireIndex(b));
    }

    private static int wireIndex(MemberScope<?, ?> member) {
        JavaType owner = JSON.constructType(member.getDeclaringType().getErasedType());
        List<String> names = JSON.getSerializationConfig().introspect(owner).findProperties().stream()
                .map(BeanPropertyDefinition::getName)
                .toList();
        int index = names.indexOf(propertyName(member.getSchemaPropertyName()));
        return index < 0 ? Integer.MAX_VALUE : index;
    }

    /** victools names a method property {@code progress()}; on the wire it is {@code progress}. */
    private static String propertyName(String schemaName) {
        return schemaName.endsWith("()") ? schemaName.substring(0, schemaName.length() - 2) : schemaName;
    }

    private static void dropMethodParentheses(JsonNode node) {
        if (node.get("properties") instanceof ObjectNode properties) {
            Map<String, JsonNode> renamed = new LinkedHashMap<>();
            properties.fields().forEachRemaining(p -> renamed.put(propertyName(p.getKey()), p.getValue()));
            properties.removeAll();
            properties.setAll(renamed);
        }
        node.elements().forEachRemaining(WireSchemas::dropMethodParentheses);
    }

    private static boolean isPayloadField(FieldScope field) {
        Class<?> owner = field.getDeclaringType().getErasedType();
        return owner == Envelope.class && field.getDeclaredName().equals("data")
                || owner == ClientMessage.class && field.getDeclaredName().equals("payload");
    }

    private static String describe(WireMessage message) {
        String topic = Topics.topicFor(message.type()).map(t -> "; Kafka topic " + t).orElse("");
        return switch (message.shape()) {
            case ENVELOPE -> message.type() + " envelope, " + message.type().direction() + topic;
            case CLIENT_MESSAGE -> message.type() + " client message, CLIENT_TO_SERVER";
            case ORG_EVENT -> message.type() + " organization sync event (flat), SERVER_TO_CLIENT" + topic;
        };
    }

    private static String pretty(ObjectNode schema) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        try {
            return JSON.writer(printer).writeValueAsString(schema) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
