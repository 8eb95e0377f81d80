package ai.kull.sync.events.schema;

import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.events.Direction;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** asyncapi.yaml describes exactly the Java contract: every message, topic and topic-to-type mapping. */
class AsyncApiTest {

    private static final Path RESOURCES = Path.of("src/main/resources");
    private static JsonNode doc;

    @BeforeAll
    static void parse() throws IOException {
        doc = new ObjectMapper(new YAMLFactory()).readTree(RESOURCES.resolve("asyncapi.yaml").toFile());
    }

    @Test
    void isAsyncApi3() {
        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
    }

    @Test
    void everyWireMessageHasAMessageWithItsGeneratedSchema() {
        JsonNode messages = doc.path("components").path("messages");
        for (WireMessage message : WireMessage.all()) {
            JsonNode described = messages.path(message.name());
            assertThat(described.isObject()).as("message %s", message.name()).isTrue();
            assertThat(described.path("name").asText()).isEqualTo(message.type().name());
            assertThat(described.path("payload").path("$ref").asText()).isEqualTo("schemas/" + message.schemaFile());
        }
        assertThat(names(messages)).isEqualTo(WireMessage.all().stream().map(WireMessage::name)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void everyTopicHasAChannelCarryingExactlyTheTypesPublishedToIt() {
        for (String topic : Topics.all()) {
            JsonNode channel = channelAt(topic);
            assertThat(channel).as("channel for %s", topic).isNotNull();
            Set<String> expected = Topics.typesOn(topic).stream().map(Enum::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(names(channel.path("messages"))).as(topic).isEqualTo(expected);
        }
    }

    @Test
    void deviceSocketsCarryEveryMessageButPodInternalOnes() {
        Set<String> expected = WireMessage.all().stream()
                .filter(m -> m.type().direction() != Direction.INTERNAL)
                .map(WireMessage::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(names(channelAt("/ws").path("messages"))).isEqualTo(expected);
        assertThat(names(channelAt("/ws/user/{userId}").path("messages"))).isEqualTo(expected);
    }

    @Test
    void organizationSocketCarriesEveryOrganizationSyncEvent() {
        Set<String> orgTypes = WireMessage.all().stream().filter(m -> m.type().isOrgSyncEvent())
                .map(WireMessage::name).collect(Collectors.toSet());
        assertThat(names(channelAt("/api/ws/sync/{orgId}").path("messages"))).containsAll(orgTypes);
    }

    @Test
    void operationsSendOnlyServerMessagesAndReceiveOnlyClientMessages() {
        doc.path("operations").fields().forEachRemaining(operation -> {
            String action = operation.getValue().path("action").asText();
            for (JsonNode ref : operation.getValue().path("messages")) {
                String name = ref.path("$ref").asText().replaceAll(".*/", "");
                MessageType type = MessageType.valueOf(name.replace(".client", ""));
                boolean clientForm = name.endsWith(".client") || !type.allowedInEnvelope() && !type.isOrgSyncEvent();
                boolean onKafka = operation.getValue().path("channel").path("$ref").asText().matches(
                        "#/channels/(" + kafkaChannelIds() + ")");
                if (action.equals("send") || onKafka) {
                    assertThat(clientForm).as("%s in %s", name, operation.getKey()).isFalse();
                } else {
                    assertThat(clientForm).as("%s in %s", name, operation.getKey()).isTrue();
                }
            }
        });
    }

    @Test
    void theGatewayServerDocumentsEveryCloseCodeAndTheRefusalParameter() throws IllegalAccessException {
        String description = doc.path("servers").path("gateway").path("description").asText();
        for (java.lang.reflect.Field field : CloseCodes.class.getFields()) {
            if (field.getType() == int.class && !field.getName().equals("REFUSED_UPGRADE_OFFSET")) {
                assertThat(description).as("close code %s", field.getName()).contains("- " + field.getInt(null) + ": ");
            }
        }
        assertThat(description).contains(CloseCodes.REFUSAL_PARAMETER + "=" + CloseCodes.REFUSAL_BY_CLOSE,
                "retry-after=<seconds>; ");
        JsonNode refusal = channelAt("/ws").path("bindings").path("ws").path("query").path("properties")
                .path(CloseCodes.REFUSAL_PARAMETER);
        assertThat(refusal.path("enum").get(0).asText()).isEqualTo(CloseCodes.REFUSAL_BY_CLOSE);
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            if (ref.startsWith("#/")) {
                assertThat(doc.at(ref.substring(1).replace("~1", "/")).isMissingNode()).as(ref).isFalse();
            } else {
                assertThat(Files.isRegularFile(RESOURCES.resolve(ref))).as(ref).isTrue();
            }
        }
    }

    private static JsonNode channelAt(String address) {
        for (JsonNode channel : doc.path("channels")) {
            if (channel.path("address").asText().equals(address)) {
                return channel;
            }
        }
        return null;
    }

    private static String kafkaChannelIds() {
        List<String> ids = new ArrayList<>();
        doc.path("channels").fields().forEachRemaining(channel -> {
            if (Topics.all().contains(channel.getValue().path("address").asText())) {
                ids.add(channel.getKey());
            }
        });
        return String.join("|", ids);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.has("$ref")) {
            refs.add(node.get("$ref").asText());
        }
        node.elements().forEachRemaining(child -> collectRefs(child, refs));
    }
}
